// The notifications bell in the header: unread count, a dropdown of the newest
// notifications (who, what, an excerpt, when) linking to /rooms/<room>/#message-<id>.
//
// On a room page the socket brings `notification` (prepend, count up) and
// `notifications.read` (another tab marked some read) through the `livechat:frame`
// event; elsewhere the bell polls.

import { el, fetchJSON } from "./dom.js";
import { relativeTime } from "./format.js";
import { gettext, interpolate, interpolateParts } from "./i18n.js";
import { notificationSentence } from "./notification-text.js";

const PAGE_SIZE = 20;
const POLL_EVERY_MS = 60_000; // pages without a socket


class Bell {
  constructor(root) {
    this.root = root;
    this.button = root.querySelector("#bell-button");
    this.count = root.querySelector("#bell-count");
    this.panel = root.querySelector("#bell-panel");
    this.list = root.querySelector("#bell-list");
    this.empty = root.querySelector("#bell-empty");
    this.markAll = root.querySelector("#bell-mark-all");
    this.items = new Map(); // id -> notification
    this.unread = 0;
    this.live = false; // a socket on this page delivers notifications
  }

  start() {
    this.button.addEventListener("click", () => this.toggle());
    this.markAll.addEventListener("click", () => this.markRead(null));
    this.root.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !this.panel.hidden) {
        this.close();
        this.button.focus();
      }
    });
    document.addEventListener("click", (event) => {
      if (!this.panel.hidden && !this.root.contains(event.target)) this.close();
    });
    window.addEventListener("livechat:frame", (event) => this.onFrame(event.detail));
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && !this.live) this.load();
    });
    this.load();
  }

  async load() {
    clearTimeout(this.pollTimer);
    try {
      const data = await fetchJSON(`/api/notifications/?limit=${PAGE_SIZE}`);
      this.items = new Map(data.notifications.map((n) => [n.id, n]));
      this.unread = data.unread_count;
      this.render();
    } catch {
      // Offline or signed out: keep what is shown.
    } finally {
      if (!this.live) this.pollTimer = setTimeout(() => this.load(), POLL_EVERY_MS);
    }
  }

  onFrame(frame) {
    if (!frame) return;
    if (frame.type === "hello") {
      // A socket: live from now on; reload once, in case something came while it was down.
      this.live = true;
      clearTimeout(this.pollTimer);
      this.load();
    } else if (frame.type === "notification" && frame.notification) {
      const n = frame.notification;
      if (this.items.has(n.id)) return;
      this.items = new Map([[n.id, n], ...this.items]);
      if (!n.read) this.unread += 1;
      this.render();
    } else if (frame.type === "notifications.read") {
      for (const n of this.items.values()) {
        if (frame.ids === null || frame.ids === undefined || frame.ids.includes(n.id)) n.read = true;
      }
      if (Number.isInteger(frame.unread_count)) this.unread = frame.unread_count;
      this.render();
    }
  }

  render() {
    const unread = Math.max(0, this.unread);
    this.count.textContent = unread > 99 ? "99+" : String(unread);
    this.count.hidden = unread === 0;
    this.button.setAttribute(
      "aria-label",
      unread
        ? interpolate(gettext("Notifications, %(count)s unread"), { count: unread }, true)
        : gettext("Notifications"),
    );
    this.markAll.disabled = unread === 0;
    this.empty.hidden = this.items.size > 0;
    this.list.replaceChildren(...[...this.items.values()].map((n) => this.renderItem(n)));
  }

  renderItem(n) {
    const href = `/rooms/${encodeURIComponent(n.room)}/#message-${n.message}`;
    const link = el(
      "a",
      { class: "bell-link", href },
      el(
        "span",
        { class: "bell-line" },
        interpolateParts(notificationSentence(n.kind), {
          actor: el(
            "strong",
            { class: "bell-actor" },
            n.actor?.username ? el("bdi", {}, n.actor.username) : gettext("Someone"),
          ),
          room: el("bdi", { class: "bell-room" }, n.room_name || n.room),
          kind: n.kind,
        }),
      ),
      n.excerpt ? el("span", { class: "bell-excerpt", dir: "auto" }, n.excerpt) : null,
      el(
        "time",
        { class: "bell-time", datetime: n.created_at, title: n.created_at },
        relativeTime(n.created_at),
      ),
      n.read ? null : el("span", { class: "visually-hidden" }, " ", gettext("(unread)")),
    );
    link.addEventListener("click", (event) => this.open(event, n, href));
    return el("li", { class: `bell-item${n.read ? "" : " is-unread"}`, "data-id": n.id }, link);
  }

  /** Mark it read, then follow the link (a new page, or a new #message- on this one). */
  async open(event, n, href) {
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) {
      if (!n.read) this.markRead([n.id]);
      return;
    }
    event.preventDefault();
    if (!n.read) await this.markRead([n.id]);
    this.close();
    location.assign(href);
  }

  async markRead(ids) {
    try {
      await fetchJSON("/api/notifications/read/", {
        method: "POST",
        body: ids ? { ids } : { all: true },
      });
    } catch {
      return; // the count stays as it was; the next load shows the truth
    }
    let changed = 0;
    for (const n of this.items.values()) {
      if ((ids === null || ids.includes(n.id)) && !n.read) {
        n.read = true;
        changed += 1;
      }
    }
    this.unread = ids === null ? 0 : Math.max(0, this.unread - changed);
    this.render();
  }

  toggle() {
    if (this.panel.hidden) this.openPanel();
    else this.close();
  }

  openPanel() {
    this.panel.hidden = false;
    this.button.setAttribute("aria-expanded", "true");
    // Times move on while the dropdown is closed.
    for (const time of this.list.querySelectorAll("time")) {
      time.textContent = relativeTime(time.getAttribute("datetime"));
    }
    (this.list.querySelector("a") || this.markAll).focus();
  }

  close() {
    this.panel.hidden = true;
    this.button.setAttribute("aria-expanded", "false");
  }
}

const root = document.getElementById("bell");
if (root) new Bell(root).start();
