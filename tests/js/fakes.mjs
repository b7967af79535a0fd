// Test doubles for the page core's injected parts: timers that run only when told, and a
// Storage that survives a "reload" (a new Outbox on the same object).

export class FakeTimers {
  constructor() {
    this.now = 0;
    this.next = 1;
    this.pending = new Map(); // id -> {at, fn}
    this.setTimeout = (fn, ms) => {
      const id = this.next++;
      this.pending.set(id, { at: this.now + ms, fn });
      return id;
    };
    this.clearTimeout = (id) => {
      this.pending.delete(id);
    };
  }

  get count() {
    return this.pending.size;
  }

  /** Move the clock on by `ms`, running every timer that falls due, in order. */
  advance(ms) {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.pending]
        .filter(([, t]) => t.at <= until)
        .sort((a, b) => a[1].at - b[1].at);
      if (due.length === 0) break;
      const [id, timer] = due[0];
      this.pending.delete(id);
      this.now = timer.at;
      timer.fn();
    }
    this.now = until;
  }
}

export class MemoryStorage {
  constructor() {
    this.items = new Map();
  }

  getItem(key) {
    return this.items.has(key) ? this.items.get(key) : null;
  }

  setItem(key, value) {
    this.items.set(key, String(value));
  }
}

/** A message event as the socket sends it. */
export function messageEvent(eventId, messageId, kind = "message.created", extra = {}) {
  return {
    type: "event",
    event_id: eventId,
    kind,
    message: {
      id: messageId,
      author: { id: 7, username: "Alice" },
      body: `m${messageId}`,
      ...extra,
    },
  };
}
