// The mentors' indicator in the header: unread messages waiting and people online across
// the help rooms (GET /api/rooms/, rooms with `help: true`). Only for mentors
// (<body data-roles>); polled every 30 s and whenever the page comes back.

import { fetchJSON } from "./dom.js";
import { gettext, interpolate, ngettext } from "./i18n.js";

const POLL_EVERY_MS = 30_000;

/** "Help rooms: 3 unread messages, 2 people online". Two counts, each with its own plural:
 * each is a whole phrase of its own, put into a frame that is translated as well. */
function indicatorLabel(waiting, online) {
  const unread = interpolate(
    ngettext("%(count)s unread message", "%(count)s unread messages", waiting),
    { count: waiting },
    true,
  );
  const people = interpolate(
    ngettext("%(count)s person online", "%(count)s people online", online),
    { count: online },
    true,
  );
  return interpolate(gettext("Help rooms: %(unread)s, %(people)s"), { unread, people }, true);
}

class MentorIndicator {
  constructor(link) {
    this.link = link;
    this.waiting = link.querySelector(".indicator-waiting");
    this.online = link.querySelector(".indicator-online");
    this.name = link.querySelector(".indicator-name");
    this.timer = null;
  }

  start() {
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.refresh();
    });
    this.refresh();
  }

  async refresh() {
    clearTimeout(this.timer);
    try {
      const data = await fetchJSON("/api/rooms/");
      const help = data.rooms.filter((room) => room.help);
      if (help.length === 0) {
        this.link.hidden = true;
        return;
      }
      const waiting = help.reduce((sum, room) => sum + room.unread_count, 0);
      const online = help.reduce((sum, room) => sum + room.online_count, 0);
      // The help room with the most waiting is where a click takes you.
      const busiest = [...help].sort((a, b) => b.unread_count - a.unread_count)[0];
      this.link.href = `/rooms/${encodeURIComponent(busiest.slug)}/`;
      this.waiting.textContent = waiting >= 100 ? "99+" : String(waiting);
      this.online.textContent = String(online);
      const label = indicatorLabel(waiting, online);
      this.name.textContent = label;
      this.link.title = label;
      this.link.classList.toggle("has-waiting", waiting > 0);
      this.link.hidden = false;
    } catch {
      // Offline: keep what is shown.
    } finally {
      if (document.visibilityState === "visible") {
        this.timer = setTimeout(() => this.refresh(), POLL_EVERY_MS);
      }
    }
  }
}

const link = document.getElementById("mentor-indicator");
const roles = (document.body.dataset.roles || "").split(/\s+/);
if (link && roles.includes("mentor")) new MentorIndicator(link).start();
