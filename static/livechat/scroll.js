// Reading the room: what the reader has actually seen, the "New" divider, the unread count
// of this room (for the side panel and the tab title), loading older pages when the reader
// scrolls to the top, and going to a linked message (#message-<id>).
//
// "Seen" means: the page is visible and the message is (at least partly) inside the
// scroller. IntersectionObserver tells when that may have changed; a scan of the list from
// its newest end then finds the newest message on screen. Only that id is ever sent in a
// `read` frame (by chat.js, through onSeen).

import { gettext, interpolate, pgettext } from "./i18n.js";

const LINK_PATTERN = /^#message-(\d+)$/;
const MAX_PAGES_FOR_LINK = 20; // how far back a linked message is looked for

/** Fired on window whenever this room's unread count changes: {room, count}. */
export const UNSEEN_EVENT = "livechat:unseen";

export class Reading {
  /**
   * @param {object} options
   * @param {HTMLElement} options.scroller    the scrolling box
   * @param {HTMLElement} options.list        #messages (children carry data-id, id m-<id>)
   * @param {HTMLElement} options.older       the "Load older messages" button
   * @param {object} options.me               {id}
   * @param {string} options.room             the room's slug
   * @param {string} options.roomName
   * @param {number|null} options.lastReadId  the server's read marker on entry
   * @param {Function} options.messageOf      id -> the message object (or undefined)
   * @param {Function} options.onSeen         called when the newest seen id grows
   * @param {Function} options.loadOlder      loads one older page; returns a promise
   */
  constructor(options) {
    Object.assign(this, options);
    this.seenId = options.lastReadId || 0;
    this.firstUnreadId = null; // where the "New" divider goes
    this.count = 0;
    this.ready = false; // the first history is in
    this.baseTitle = document.title;
    this.visibleNow = new Set();

    this.observer = new IntersectionObserver(() => this.scan(), {
      root: this.scroller,
      threshold: [0, 0.5, 1],
    });
    this.olderObserver = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) this.autoLoadOlder();
      },
      { root: this.scroller, rootMargin: "200px 0px 0px 0px" },
    );
    // The timeline adds and replaces message elements: observe each new one, and keep the
    // divider on the element that now carries the first unread message.
    this.mutations = new MutationObserver((records) => {
      for (const record of records) {
        for (const node of record.addedNodes) {
          if (node.nodeType === 1 && node.dataset.id) this.observer.observe(node);
        }
      }
      this.placeDivider();
      this.recount();
    });
    this.mutations.observe(this.list, { childList: true });
    for (const node of this.list.children) this.observer.observe(node);

    document.addEventListener("visibilitychange", () => {
      this.scan();
      this.updateTitle();
    });
    window.addEventListener("hashchange", () => this.revealLinked());
  }

  // -- what has been seen --------------------------------------------------------------------

  /** Find the newest message on screen, if the page is visible; it and everything before
   * it count as seen. */
  scan() {
    if (!this.ready || document.visibilityState !== "visible") return;
    const box = this.scroller.getBoundingClientRect();
    if (box.height === 0) return;
    for (let node = this.list.lastElementChild; node; node = node.previousElementSibling) {
      const id = Number(node.dataset.id);
      if (!id) continue;
      const rect = node.getBoundingClientRect();
      if (rect.top >= box.bottom) continue; // below the fold
      if (rect.bottom <= box.top) break; // above it, and so is everything older
      this.markSeen(id);
      return;
    }
  }

  markSeen(id) {
    if (id <= this.seenId) return;
    this.seenId = id;
    this.recount();
    this.onSeen(id);
  }

  /** Another tab of this person read up to `id` (a `read` frame). */
  readElsewhere(id) {
    if (!Number.isInteger(id) || id <= this.seenId) return;
    this.seenId = id;
    this.recount();
  }

  /** Others' messages after the newest seen one. */
  recount() {
    let count = 0;
    for (let node = this.list.lastElementChild; node; node = node.previousElementSibling) {
      const id = Number(node.dataset.id);
      if (!id) continue;
      if (id <= this.seenId) break;
      const message = this.messageOf(id);
      if (message && message.author.id !== this.me.id && !message.hidden) count += 1;
    }
    if (count === this.count) return;
    this.count = count;
    this.updateTitle();
    window.dispatchEvent(new CustomEvent(UNSEEN_EVENT, { detail: { room: this.room, count } }));
  }

  /** "(3) Help desk · Wiki help desk" while the page is hidden and messages wait. */
  updateTitle() {
    const title =
      this.count > 0 && document.visibilityState !== "visible"
        ? interpolate(
            gettext("(%(count)s) %(title)s"),
            { count: this.count > 99 ? "99+" : this.count, title: this.baseTitle },
            true,
          )
        : this.baseTitle;
    if (document.title !== title) document.title = title;
  }

  // -- entering the room ---------------------------------------------------------------------

  /** The first history is in: mark the first unread message (not one's own) with the
   * divider, and place the reader. Returns true when it positioned the scroller itself
   * (at a linked message, or at the divider when that is above the fold). */
  enter() {
    this.ready = true;
    const marker = this.lastReadId;
    if (marker !== null && marker !== undefined) {
      for (const node of this.list.children) {
        const id = Number(node.dataset.id);
        const message = id && this.messageOf(id);
        if (message && id > marker && message.author.id !== this.me.id) {
          this.firstUnreadId = id;
          break;
        }
      }
    }
    this.placeDivider();
    this.olderObserver.observe(this.older);
    if (LINK_PATTERN.test(location.hash)) {
      this.revealLinked();
      return true;
    }
    this.scroller.scrollTop = this.scroller.scrollHeight;
    const divider = this.firstUnreadId && document.getElementById(`m-${this.firstUnreadId}`);
    if (
      divider &&
      divider.getBoundingClientRect().top < this.scroller.getBoundingClientRect().top
    ) {
      // More unread than fits: start at the first of them, not at the newest.
      divider.scrollIntoView({ block: "start" });
      this.scan();
      return true;
    }
    this.scan();
    return false;
  }

  placeDivider() {
    for (const node of this.list.querySelectorAll(".is-first-unread")) {
      if (Number(node.dataset.id) !== this.firstUnreadId) node.classList.remove("is-first-unread");
    }
    if (!this.firstUnreadId) return;
    const node = document.getElementById(`m-${this.firstUnreadId}`);
    if (node && !node.classList.contains("is-first-unread")) {
      node.classList.add("is-first-unread");
      node.setAttribute("aria-describedby", "new-divider-label");
      // The divider's word (chat.css draws it from this attribute): CSS text cannot be
      // translated.
      node.dataset.dividerLabel = pgettext("unread divider", "New");
    }
  }

  // -- older pages ---------------------------------------------------------------------------

  async autoLoadOlder() {
    if (!this.ready || this.older.hidden || this.older.disabled || this.loading) return;
    this.loading = true;
    try {
      // chat.js keeps the reader's place while prepending. A short page may still show
      // the top afterwards (the observer does not fire again): keep going, a little.
      for (let page = 0; page < 5; page += 1) {
        await this.loadOlder();
        if (this.older.hidden) break;
        const top = this.older.getBoundingClientRect().bottom;
        if (top < this.scroller.getBoundingClientRect().top - 200) break;
      }
    } finally {
      this.loading = false;
    }
  }

  // -- a linked message ----------------------------------------------------------------------

  /** Scroll to and highlight #message-<id>, loading older pages until it is there. */
  async revealLinked() {
    const match = LINK_PATTERN.exec(location.hash);
    if (!match || !this.ready) return;
    const id = Number(match[1]);
    let node = document.getElementById(`m-${id}`);
    for (let page = 0; !node && page < MAX_PAGES_FOR_LINK; page += 1) {
      const oldest = Number(this.list.firstElementChild?.dataset.id || 0);
      if (this.older.hidden || !oldest || oldest < id) break; // not in this room, or gone
      await this.loadOlder();
      node = document.getElementById(`m-${id}`);
    }
    if (!node) return;
    for (const old of this.list.querySelectorAll(".is-linked")) old.classList.remove("is-linked");
    node.classList.add("is-linked");
    node.scrollIntoView({ block: "center" });
    if (!node.hasAttribute("tabindex")) node.setAttribute("tabindex", "-1");
    node.focus({ preventScroll: true });
    this.scan();
  }
}
