// Loading the room over HTTP: the latest history page on entry (and after a resync), older
// pages on demand, and the events API, which fills a gap the socket left open and feeds
// the polling fallback. Which event applies when is delivery.js's decision; this module
// only fetches, and drops answers that a resync made stale.

import { fetchJSON } from "./dom.js";
import { gettext } from "./i18n.js";

export const DEFAULT_PAGE_SIZE = 50;
const RETRY_HISTORY_MS = 3000;

export class History {
  /**
   * @param {object} options
   * @param {string} options.api          /api/rooms/<slug>
   * @param {string} options.slug
   * @param {number} [options.pageSize]   the server's history page size (config)
   * @param {import("./delivery.js").Delivery} options.delivery
   * @param {import("./timeline.js").Timeline} options.timeline
   * @param {object} options.dom          messages, scroller, loadOlder, historyStart
   * @param {object} options.hooks        message(m) (a message is on the page), loaded()
   *                                      (the first page is in), accept(events),
   *                                      error(text), clearError(), probeAccess(), resync()
   */
  constructor({ api, slug, pageSize, delivery, timeline, dom, hooks }) {
    this.api = api;
    this.slug = slug;
    this.pageSize = Number.isInteger(pageSize) && pageSize > 0 ? pageSize : DEFAULT_PAGE_SIZE;
    this.delivery = delivery;
    this.timeline = timeline;
    this.dom = dom;
    this.hooks = hooks;
    this.loadingOlder = false;
    this.fetchingEvents = false;
  }

  /** The newest page: everything up to the id delivery started from. */
  async load() {
    const { delivery } = this;
    const generation = delivery.generation;
    delivery.historyLoading();
    this.dom.messages.setAttribute("aria-busy", "true");
    let data;
    try {
      data = await fetchJSON(`${this.api}/messages/?limit=${this.pageSize}`);
    } catch (error) {
      if (!delivery.isCurrent(generation)) return;
      if (error.status === 403 || error.status === 404) {
        this.hooks.probeAccess();
        return;
      }
      delivery.historyFailed();
      this.hooks.error(gettext("Could not load the messages; trying again…"));
      setTimeout(() => {
        if (delivery.isCurrent(generation) && delivery.historyState === "idle") this.load();
      }, RETRY_HISTORY_MS);
      return;
    }
    if (!delivery.isCurrent(generation)) return; // a resync started over meanwhile

    this.timeline.rememberThanks(data.thanked);
    for (const message of data.messages) {
      this.timeline.upsert(message);
      this.hooks.message(message);
    }
    this.setControls(data.has_more, true);
    this.dom.messages.setAttribute("aria-busy", "false");
    this.hooks.clearError();
    this.hooks.loaded();
  }

  async loadOlder() {
    const before = this.timeline.oldestId;
    if (before === null || this.loadingOlder) return;
    this.loadingOlder = true;
    this.dom.loadOlder.disabled = true;
    const generation = this.delivery.generation;
    try {
      const data = await fetchJSON(
        `${this.api}/messages/?before=${before}&limit=${this.pageSize}`,
      );
      if (!this.delivery.isCurrent(generation)) return;
      this.timeline.rememberThanks(data.thanked);
      const { scroller } = this.dom;
      const fromBottom = scroller.scrollHeight - scroller.scrollTop;
      // Newest first, so that each lands at the top of the list without a search.
      for (const message of [...data.messages].reverse()) {
        // A message already shown came from a live event and is at least as new.
        if (!this.timeline.messages.has(message.id)) this.timeline.upsert(message);
      }
      scroller.scrollTop = scroller.scrollHeight - fromBottom; // keep the reader's place
      this.setControls(data.has_more, true);
    } catch (error) {
      this.hooks.error(error.message || gettext("Could not load older messages."));
    } finally {
      this.loadingOlder = false;
      this.dom.loadOlder.disabled = false;
    }
  }

  setControls(hasMore, loaded) {
    this.dom.loadOlder.hidden = !hasMore;
    this.dom.historyStart.hidden = !loaded || hasMore;
  }

  /** Events after the last one held, over HTTP: the gap fallback and the polling mode.
   * The API's events are the socket's frames without "type". */
  async fetchEvents() {
    const { delivery } = this;
    if (this.fetchingEvents || delivery.historyState !== "ready") return;
    this.fetchingEvents = true;
    const generation = delivery.generation;
    try {
      for (;;) {
        const data = await fetchJSON(`${this.api}/events/?after=${delivery.lastEventId}`);
        if (!delivery.isCurrent(generation)) return;
        this.hooks.accept(data.events || []);
        if (!data.has_more || !data.events?.length) break;
      }
    } catch (error) {
      if (error.code === "resync" || error.status === 410) this.hooks.resync();
      else if (error.status === 403 || error.status === 404) this.hooks.probeAccess();
      // Anything else (network down): the next poll or reconnect tries again.
    } finally {
      this.fetchingEvents = false;
    }
  }

  /** The first load without a socket: the room's newest event id from the room list,
   * then the history. Events after that id are then polled. `stillOffline()` is asked
   * again once the list is in, since the socket may have said hello meanwhile. */
  async firstLoadOverHttp(stillOffline) {
    if (this.delivery.historyState !== "idle") return;
    try {
      const data = await fetchJSON("/api/rooms/");
      const room = data.rooms.find((r) => r.slug === this.slug);
      if (!room || this.delivery.lastEventId !== null || !stillOffline()) return;
      this.delivery.begin(room.last_event_id);
      await this.load();
    } catch {
      // Still offline; the next poll tries again.
    }
  }
}
