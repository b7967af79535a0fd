// The room's event log as the page sees it: every change of the room is an event with a
// per-room id 1, 2, 3, … (docs/api.md, "Delivery guarantees"). This module decides which
// event is applied when; what an event does to the page is the injected handlers' job.
// No DOM: the socket, the HTTP fallback and the timers are all injected.
//
//  * Events are applied strictly in id order. One the page already has is dropped; one
//    past a gap is held back while the missing ones are asked for (`resume`), and applied
//    once they are in. A gap still open after a while is filled over HTTP instead.
//  * On the first hello the page remembers the room's newest id and loads the history;
//    events that arrive meanwhile wait until it is in. On every later hello (a reconnect)
//    it asks for everything after the last id it holds.
//  * The log is generic: {event_id, kind, <subject>: {...}}. A kind without a handler
//    (newer than this page, or one the server no longer knows and sends bare) only moves
//    the position on, so it never stalls the events after it.

export const GAP_FALLBACK_MS = 4000; // a gap still open this long is filled over HTTP

export class Delivery {
  /**
   * @param {object} options
   * @param {Object<string, Function>} options.handlers  kind -> (event) => true when the
   *        event brought something new to the page (a new message: scroll, mark unread)
   * @param {Function} options.sendResume   (afterId) => true if a `resume` frame went out
   * @param {Function} options.fetchAfter   (afterId) => the events API fallback for a gap
   * @param {object} [options.timers]       {setTimeout, clearTimeout}
   * @param {number} [options.gapFallbackMs]
   * @param {Function} [options.onHandlerError]  a handler threw; by default rethrown
   *        outside the loop, so it is reported but the events after it still apply
   * @param {Function} [options.handlerFor]  kind -> a handler for a kind not in
   *        `handlers` (other apps' kinds, registered on the page: extensions.js), or
   *        undefined
   */
  constructor({
    handlers,
    handlerFor = () => undefined,
    sendResume,
    fetchAfter,
    timers = globalThis,
    gapFallbackMs = GAP_FALLBACK_MS,
    onHandlerError = rethrowLater,
  }) {
    this.handlers = handlers;
    this.handlerFor = handlerFor;
    this.sendResume = sendResume;
    this.fetchAfter = fetchAfter;
    this.timers = timers;
    this.gapFallbackMs = gapFallbackMs;
    this.onHandlerError = onHandlerError;

    this.lastEventId = null; // the newest event applied; null until the first hello
    this.historyState = "idle"; // "idle" | "loading" | "ready"
    this.preHistory = []; // events that arrived while the history was loading
    this.held = new Map(); // event id -> event that arrived past a gap
    this.resumeAskedAfter = null; // the id we last sent `resume` for, on this socket
    this.generation = 0; // bumped by resync, so stale HTTP answers can be dropped
    this.gapTimer = null;
  }

  // -- the socket's life -------------------------------------------------------------------

  /** A new socket is open: nothing has been asked on it yet. */
  socketOpened() {
    this.resumeAskedAfter = null;
  }

  /** The socket said hello. Returns "fresh" when the caller must load the history (the
   * first hello, or the first after a resync), "resume" when the missed events were asked
   * for instead. */
  hello(roomLastEventId) {
    if (this.lastEventId === null) {
      // History covers everything up to this id, the socket everything after it.
      this.begin(roomLastEventId);
      return "fresh";
    }
    // A reconnect: the server replays what we missed in order, or sends `resync`.
    this.requestResume({ force: true });
    return "resume";
  }

  /** Start from `lastEventId` (a hello's, or the room list's when there is no socket). */
  begin(lastEventId) {
    this.lastEventId = lastEventId;
  }

  /** Ask the socket for everything after the last id held. Unforced, a repeat for the
   * same id is skipped: one `resume` answers every event held behind the same gap. */
  requestResume({ force = false } = {}) {
    if (this.lastEventId === null) return false;
    if (!force && this.resumeAskedAfter === this.lastEventId) return false;
    if (!this.sendResume(this.lastEventId)) return false;
    this.resumeAskedAfter = this.lastEventId;
    return true;
  }

  /** The events asked for are gone from the log: forget everything, as on a fresh page. */
  resync() {
    this.generation += 1;
    this.lastEventId = null;
    this.historyState = "idle";
    this.preHistory = [];
    this.held.clear();
    this.clearGapTimer();
  }

  /** False once a resync started over after `generation` was read: drop that answer. */
  isCurrent(generation) {
    return generation === this.generation;
  }

  /** The event `eventId` is already behind the page (applied, or before its history). */
  covers(eventId) {
    return this.lastEventId !== null && Number.isInteger(eventId) && eventId <= this.lastEventId;
  }

  // -- the history -------------------------------------------------------------------------

  historyLoading() {
    this.historyState = "loading";
  }

  historyFailed() {
    this.historyState = "idle";
  }

  /** The history is in: apply what came meanwhile. Some of it is already reflected in the
   * history, which is harmless (handlers replace by id), and it goes in id order. Returns
   * what accept() returns. */
  historyLoaded() {
    this.historyState = "ready";
    const buffered = this.preHistory;
    this.preHistory = [];
    return this.accept(buffered);
  }

  // -- events ------------------------------------------------------------------------------

  /** An `event` frame from the socket. Returns true when it brought something new. */
  receive(event) {
    if (!Number.isInteger(event?.event_id)) return false;
    if (this.historyState !== "ready") {
      this.preHistory.push(event);
      return false;
    }
    return this.accept([event]);
  }

  /** Take events (from the socket, a replay, or the events API) and apply every one that
   * is next in line. Returns true when any of them brought something new. */
  accept(events) {
    let news = false;
    if (this.lastEventId === null) return news; // not started: the history will cover them
    for (const event of events) {
      if (Number.isInteger(event?.event_id) && event.event_id > this.lastEventId) {
        this.held.set(event.event_id, event);
      }
    }
    while (this.held.has(this.lastEventId + 1)) {
      const event = this.held.get(this.lastEventId + 1);
      this.held.delete(event.event_id);
      // Advance first: a handler that throws must not make the same event apply twice.
      this.lastEventId = event.event_id;
      news = this.apply(event) || news;
    }
    if (this.held.size > 0) this.onGap();
    else this.clearGapTimer();
    return news;
  }

  apply(event) {
    const handler = this.handlers[event.kind] ?? this.handlerFor(event.kind);
    if (!handler) return false; // a kind this page does not know: only the position moves
    try {
      return Boolean(handler(event));
    } catch (error) {
      this.onHandlerError(error);
      return false;
    }
  }

  /** Events are missing before some we hold: ask the socket to replay them; if that does
   * not fill the gap soon, fetch them over HTTP. */
  onGap() {
    this.requestResume();
    if (this.gapTimer) return;
    this.gapTimer = this.timers.setTimeout(() => {
      this.gapTimer = null;
      if (this.held.size > 0) this.fetchAfter(this.lastEventId);
    }, this.gapFallbackMs);
  }

  clearGapTimer() {
    if (this.gapTimer) this.timers.clearTimeout(this.gapTimer);
    this.gapTimer = null;
  }

  get gapOpen() {
    return this.held.size > 0;
  }
}

/** Report an error without unwinding the caller's loop (the page logs it as uncaught). */
function rethrowLater(error) {
  queueMicrotask(() => {
    throw error;
  });
}
