// Messages the user wrote that the server has not confirmed yet.
//
// Each one carries a client_id chosen here; the server stores at most one message per
// (author, client_id), so sending the same entry again after any doubt (a dropped socket,
// a reload) can never post it twice. Entries live in memory and in sessionStorage, so a
// reload of the tab does not lose what was typed while offline.

export function newClientId() {
  if (globalThis.crypto?.randomUUID) return `c-${crypto.randomUUID()}`;
  // Non-secure contexts (plain http on a LAN address) lack randomUUID.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `c-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

export class Outbox {
  constructor(storageKey) {
    this.storageKey = storageKey;
    /** @type {Map<string, {clientId: string, body: string, createdAt: string, replyTo?: number}>} */
    this.entries = new Map();
    this.load();
  }

  load() {
    let saved = [];
    try {
      saved = JSON.parse(sessionStorage.getItem(this.storageKey) || "[]");
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
      sessionStorage.setItem(this.storageKey, JSON.stringify([...this.entries.values()]));
    } catch {
      // Quota or privacy mode: the in-memory queue still works for this page's life.
    }
  }

  add(body, clientId = newClientId(), replyTo = null) {
    const entry = { clientId, body, createdAt: new Date().toISOString() };
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
}
