// Messages the user wrote that the server has not confirmed yet.
//
// Each one carries a client_id chosen here; the server stores at most one message per
// (author, client_id), so sending the same entry again after any doubt (a dropped socket,
// a reload) can never post it twice. Entries live in memory and in the injected storage
// (the page passes sessionStorage), so a reload of the tab does not lose what was typed
// while offline. No DOM here: storage, clock and id source are all injected.

export function newClientId() {
  if (globalThis.crypto?.randomUUID) return `c-${globalThis.crypto.randomUUID()}`;
  // Non-secure contexts (plain http on a LAN address) lack randomUUID.
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return `c-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

export class Outbox {
  /**
   * @param {string} storageKey
   * @param {object} [options]
   * @param {Storage|null} [options.storage]  getItem/setItem; null keeps the queue in memory
   * @param {Function} [options.now]          () => Date, the clock for createdAt
   * @param {Function} [options.newId]        () => a fresh client_id
   */
  constructor(storageKey, { storage = null, now = () => new Date(), newId = newClientId } = {}) {
    this.storageKey = storageKey;
    this.storage = storage;
    this.now = now;
    this.newId = newId;
    /** @type {Map<string, {clientId: string, body: string, createdAt: string, replyTo?: number}>}
     * client_id -> entry, oldest first */
    this.entries = new Map();
    this.load();
  }

  load() {
    let saved = [];
    try {
      saved = JSON.parse(this.storage?.getItem(this.storageKey) || "[]");
    } catch {
      saved = []; // storage disabled or corrupt: start empty
    }
    for (const entry of Array.isArray(saved) ? saved : []) {
      if (entry && typeof entry.clientId === "string" && typeof entry.body === "string") {
        this.entries.set(entry.clientId, entry);
      }
    }
  }

  save() {
    try {
      this.storage?.setItem(this.storageKey, JSON.stringify([...this.entries.values()]));
    } catch {
      // Quota or privacy mode: the in-memory queue still works for this page's life.
    }
  }

  add(body, clientId = this.newId(), replyTo = null) {
    const entry = { clientId, body, createdAt: this.now().toISOString() };
    // Kept with the entry (and so across a reload): a resent reply still points at its message.
    if (replyTo) entry.replyTo = replyTo;
    this.entries.set(clientId, entry);
    this.save();
    return entry;
  }

  has(clientId) {
    return this.entries.has(clientId);
  }

  get(clientId) {
    return this.entries.get(clientId);
  }

  /** The server confirmed (ack, or the message itself arrived): never send it again. */
  remove(clientId) {
    if (this.entries.delete(clientId)) this.save();
  }

  /** Unconfirmed entries, oldest first (Map keeps insertion order). */
  all() {
    return [...this.entries.values()];
  }

  get size() {
    return this.entries.size;
  }
}
