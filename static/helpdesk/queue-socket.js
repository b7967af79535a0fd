// The helpers' socket, /ws/helpdesk/: one per page, shared by whoever listens (the badge
// in the header, the queue page). Modules are loaded once per page, so every import of
// this file gets the same connection.
//
// While it is open the helper counts as online; input on the page (at most once a
// minute) tells the server they are active, i.e. available to answer.

import { socketUrl } from "../livechat/auth.js";
import { Connection } from "../livechat/connection.js";

const ACTIVE_EVERY_MS = 60_000;

class HelpdeskSocket {
  constructor() {
    this.listeners = new Set();
    this.state = "connecting";
    this.lastActive = 0;
    this.connection = new Connection(socketUrl("/ws/helpdesk/"), {
      onFrame: (frame) => this.onFrame(frame),
      onState: (state) => this.onState(state),
    });
  }

  start() {
    for (const type of ["keydown", "pointerdown"]) {
      document.addEventListener(type, () => this.active(), { passive: true, capture: true });
    }
    window.addEventListener("online", () => this.connection.reconnectNow());
    this.connection.start();
  }

  /** `listener`: {onFrame(frame), onState(state)}; both optional. */
  subscribe(listener) {
    this.listeners.add(listener);
    listener.onState?.(this.state);
    return () => this.listeners.delete(listener);
  }

  send(frame) {
    return this.connection.send(frame);
  }

  active() {
    const now = Date.now();
    if (now - this.lastActive < ACTIVE_EVERY_MS) return;
    if (this.send({ type: "active" })) this.lastActive = now;
  }

  onFrame(frame) {
    if (frame.type === "hello") this.connection.markHealthy();
    for (const listener of this.listeners) listener.onFrame?.(frame);
  }

  onState(state) {
    this.state = state;
    for (const listener of this.listeners) listener.onState?.(state);
  }
}

let shared = null;

export function helpdeskSocket() {
  if (shared === null) {
    shared = new HelpdeskSocket();
    shared.start();
  }
  return shared;
}
