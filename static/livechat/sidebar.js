// The room page's side panel: unread counts next to every room.
//
// Other rooms come from GET /api/rooms/ (on load, every 60 s, when the page comes back,
// after a `read` frame from another tab, after a notification). This room's count is the
// page's own (scroll.js: others' messages not yet seen), sent as a `livechat:unseen` event,
// so it moves at once and never waits for a poll.

import { fetchJSON } from "./dom.js";
import { gettext, interpolate, ngettext } from "./i18n.js";

const REFRESH_EVERY_MS = 60_000;
const SOON_MS = 500; // frames come in bursts; one fetch answers them all
const STILL_HERE_MS = 10_000; // after beforeunload: the page did not go away after all

class RoomCounts {
  constructor(nav) {
    this.nav = nav;
    this.current = nav.dataset.current;
    this.localCount = null; // this room's count, from the page
    this.timer = null;
    this.soonTimer = null;
    this.stopped = false; // the page is being left
  }

  start() {
    window.addEventListener("livechat:unseen", (event) => {
      if (event.detail.room !== this.current) return;
      this.localCount = event.detail.count;
      this.show(this.current, this.localCount);
    });
    window.addEventListener("livechat:frame", (event) => {
      const type = event.detail?.type;
      if (type === "read" || type === "notification") this.refreshSoon();
    });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.refreshSoon();
    });
    // Leaving the page (a link, or "Log out", whose POST ends the session before the next
    // page loads): a refresh that fires now is wasted, and after a logout it is a 403.
    window.addEventListener("beforeunload", () => this.stop());
    this.refresh();
  }

  /** Pause while the page is being left; still here a while later (a download link, a
   * navigation the browser cancelled), carry on. */
  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.soonTimer);
    this.timer = setTimeout(() => {
      this.stopped = false;
      this.refresh();
    }, STILL_HERE_MS);
  }

  refreshSoon() {
    if (this.stopped) return;
    clearTimeout(this.soonTimer);
    this.soonTimer = setTimeout(() => this.refresh(), SOON_MS);
  }

  async refresh() {
    clearTimeout(this.timer);
    if (this.stopped) return;
    try {
      const data = await fetchJSON("/api/rooms/");
      for (const room of data.rooms) {
        if (room.slug === this.current && this.localCount !== null) continue;
        this.show(room.slug, room.unread_count);
      }
    } catch {
      // Offline or signed out: the room page says so; try again later.
    } finally {
      if (!this.stopped) this.timer = setTimeout(() => this.refresh(), REFRESH_EVERY_MS);
    }
  }

  show(slug, count) {
    const badge = this.nav.querySelector(`[data-unread-for="${CSS.escape(slug)}"]`);
    if (!badge) return;
    const text = count >= 100 ? "99+" : String(count);
    badge.hidden = !count;
    badge.querySelector(".unread-number").textContent = count ? text : "";
    badge.title = count ? unreadTitle(count) : "";
  }
}

/** The badge's title; the API counts up to 100. */
function unreadTitle(count) {
  if (count >= 100) {
    return interpolate(gettext("%(count)s or more unread messages"), { count }, true);
  }
  return interpolate(
    ngettext("%(count)s unread message", "%(count)s unread messages", count),
    { count },
    true,
  );
}

const nav = document.getElementById("sidebar-rooms");
if (nav) new RoomCounts(nav).start();
