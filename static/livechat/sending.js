// What the user sends, until the server has it: each message gets a client_id and stays in
// the outbox (memory and storage) until acknowledged. The server stores a client_id at most
// once, so after any doubt (a dropped socket, a reload) the whole queue is simply sent
// again with the same ids. A send the server refuses leaves the queue and is shown with the
// reason; it is never retried by itself, since a block or a filter would refuse it again.
// An `unavailable` answer is not a refusal: the database or Redis is down for a moment, so
// the entry stays queued and goes again after the server's `retry_after`, with jitter.
//
// No DOM: the socket (`send`), the "being sent" list (`view`) and the message box
// (`restoreDraft`) are injected.

export class Sender {
  /**
   * @param {object} options
   * @param {import("./outbox.js").Outbox} options.outbox
   * @param {Function} options.send          (frame) => true if it went out on a live socket
   * @param {object} options.view            show(entry, state, detail?, refusal?) with state
   *                                         "sending" | "queued" | "sent" | "failed";
   *                                         remove(clientId)
   * @param {Function} [options.restoreDraft]  (body) => true if the text went back into an
   *                                         empty message box (a blocked send)
   * @param {Function} [options.onQueued]    (entry) => a send found no live socket: it
   *                                         waits (the page says so in its banner)
   * @param {Function} [options.later]       (fn, ms) => run fn after ms (setTimeout)
   * @param {Function} [options.random]      () => a number in [0, 1) (Math.random)
   */
  constructor({
    outbox,
    send,
    view,
    restoreDraft = () => false,
    onQueued = () => {},
    later = (fn, ms) => setTimeout(fn, ms),
    random = Math.random,
  }) {
    this.outbox = outbox;
    this.send = send;
    this.view = view;
    this.restoreDraft = restoreDraft;
    this.onQueued = onQueued;
    this.later = later;
    this.random = random;
    /** client_id -> entry shown in the "being sent" list (the outbox's, or a refused one) */
    this.pending = new Map();
  }

  /** Messages queued before a reload of this tab: shown at once, sent on hello. */
  restore() {
    for (const entry of this.outbox.all()) {
      this.pending.set(entry.clientId, entry);
      this.view.show(entry, "queued");
    }
  }

  /** The user sends `body` (answering `replyTo`). Returns the new entry. */
  submit(body, replyTo = null) {
    const entry = this.outbox.add(body, undefined, replyTo);
    this.pending.set(entry.clientId, entry);
    this.dispatch(entry);
    return entry;
  }

  /** Send one entry if the socket is live; either way it stays queued until the ack. */
  dispatch(entry) {
    const frame = { type: "message.send", body: entry.body, client_id: entry.clientId };
    if (entry.replyTo) frame.reply_to = entry.replyTo;
    const sent = this.send(frame);
    this.view.show(entry, sent ? "sending" : "queued");
    if (!sent) this.onQueued(entry);
    return sent;
  }

  /** On every hello: send whatever the server has not acknowledged, with the same
   * client_id as before (the server answers a repeat with the first message's ack). */
  flush() {
    for (const entry of this.outbox.all()) this.dispatch(entry);
  }

  /** The socket is gone: what was written into it is resent on the next hello. */
  disconnected() {
    for (const entry of this.outbox.all()) this.view.show(entry, "queued");
  }

  get queued() {
    return this.outbox.size;
  }

  /** A message is on the page: if it is one of `me`'s still shown as pending, it is done. */
  arrived(message, me) {
    const clientId = message?.client_id;
    if (!clientId || message.author?.id !== me.id) return;
    this.outbox.remove(clientId);
    if (this.pending.delete(clientId)) this.view.remove(clientId);
  }

  /** `ack` {client_id, message_id, event_id}. `covered` says the message is already on the
   * page, or its event is behind the page (a repeat of a message sent long ago), so no
   * event will come to replace the pending copy. Returns false for an unknown client_id. */
  ack(frame, covered) {
    const entry = this.pending.get(frame.client_id);
    this.outbox.remove(frame.client_id);
    if (!entry) return false;
    if (covered) {
      this.pending.delete(frame.client_id);
      this.view.remove(frame.client_id);
    } else {
      this.view.show(entry, "sent"); // its event follows
    }
    return true;
  }

  /** An `error` answering one of our sends. A blocked text goes back into the message box
   * when that is empty; anything else stays listed with the reason and what can be done.
   * Returns false when the client_id is not ours. */
  refused(frame, detail) {
    const entry = this.pending.get(frame.client_id);
    if (!entry) return false;
    if (frame.code === "unavailable") return this.postpone(entry, frame.retry_after);
    this.outbox.remove(entry.clientId);
    if (frame.code === "blocked" && this.restoreDraft(entry.body)) {
      this.discard(entry.clientId);
      return true;
    }
    this.view.show(entry, "failed", detail, frame);
    return true;
  }

  /** The server could not take it now (`unavailable`): still queued, sent again with the
   * same client_id after `retryAfter` seconds, jittered (half to one and a half times) so
   * that every page does not come back in the same instant. A hello in between resends
   * it anyway; the server answers a repeat with the first ack, never a second message. */
  postpone(entry, retryAfter) {
    this.view.show(entry, "queued");
    const delayMs = retryDelay(retryAfter, this.random);
    this.later(() => {
      if (this.outbox.has(entry.clientId)) this.dispatch(entry);
    }, delayMs);
    return true;
  }

  /** "Try again": back into the queue with the same client_id. */
  retry(clientId) {
    const entry = this.pending.get(clientId);
    if (!entry) return false;
    this.outbox.add(entry.body, clientId, entry.replyTo);
    return this.dispatch(entry);
  }

  /** A filter warned about this text: send it again. The refused send stored nothing, so
   * its client_id would do as well; a fresh one keeps "one client_id, one attempt the
   * user made" simple. The server lets the same text through this time. */
  sendAnyway(clientId) {
    const entry = this.take(clientId);
    return entry ? this.submit(entry.body, entry.replyTo) : null;
  }

  /** Remove an entry and hand it back (to edit it in the message box). */
  take(clientId) {
    const entry = this.pending.get(clientId);
    if (entry) this.discard(clientId);
    return entry ?? null;
  }

  discard(clientId) {
    this.outbox.remove(clientId);
    this.pending.delete(clientId);
    this.view.remove(clientId);
  }
}

/** Milliseconds before resending after `unavailable`: the server's hint (seconds; 5 when
 * it gave none), between half and one and a half times it. */
export function retryDelay(retryAfter, random = Math.random) {
  const seconds = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : 5;
  return seconds * 1000 * (0.5 + random());
}
