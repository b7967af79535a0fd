// The room socket: one WebSocket at a time, reconnected with exponential backoff.
//
// This module knows nothing about the chat's frames beyond JSON; room.js decides what a
// frame means. It reports state changes so the page can show "Reconnecting…".

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 15000;

/** Delay before retry number `attempt` (0-based): 0.5 s doubling up to 15 s, with
 * "equal jitter" (half fixed, half random) so that a server restart is not greeted by
 * every client in the same millisecond. */
export function backoffDelay(attempt) {
  const ceiling = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

export class Connection {
  /**
   * @param {string|function(): string} url  ws:// or wss:// URL of the socket, or a function
   *   giving it on each connect (the widget's address carries a token that is renewed)
   * @param {object} handlers   onFrame(frame), onOpen(), onClose({code, retryInMs}),
   *                            onState(state) with state "connecting" | "open" | "waiting"
   */
  constructor(url, handlers) {
    this.url = url;
    this.handlers = handlers;
    this.socket = null;
    this.attempt = 0; // failed attempts since the connection was last healthy
    this.retryTimer = null;
    this.retryAt = 0;
    this.stopped = false;
  }

  start() {
    this.stopped = false;
    this.open();
  }

  /** Stop for good (the user is signed out, or the room is gone). */
  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    if (this.socket) this.socket.close(1000, "stopped");
  }

  get isOpen() {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  /** Send a frame if the socket is open; false if it is not (the caller keeps it). */
  send(frame) {
    if (!this.isOpen) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  /** The server proved the connection works (it said hello): reset the backoff. */
  markHealthy() {
    this.attempt = 0;
  }

  /** Drop the current socket (if any) and connect again at once, skipping the backoff:
   * after `resync`, when the browser comes back online, or when the user asks to. */
  reconnectNow() {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.socket && this.socket.readyState <= WebSocket.OPEN) {
      const old = this.socket;
      this.socket = null; // its close event must not schedule another retry
      detach(old);
      old.close(1000, "reconnecting");
    }
    this.open();
  }

  /** True while waiting for a scheduled retry. */
  get waiting() {
    return this.retryTimer !== null;
  }

  open() {
    this.retryTimer = null;
    this.handlers.onState?.("connecting");
    let socket;
    try {
      socket = new WebSocket(typeof this.url === "function" ? this.url() : this.url);
    } catch (error) {
      // A malformed URL or a blocked port throws synchronously; treat it like a close.
      console.error("livechat: cannot open socket", error);
      this.scheduleRetry(1006);
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.handlers.onState?.("open");
      this.handlers.onOpen?.();
    };
    socket.onmessage = (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        console.warn("livechat: ignoring a frame that is not JSON");
        return;
      }
      this.handlers.onFrame(frame);
    };
    // "error" is always followed by "close"; the retry is scheduled there.
    socket.onerror = () => {};
    socket.onclose = (event) => {
      if (this.socket !== socket) return; // replaced on purpose by reconnectNow()
      this.socket = null;
      if (this.stopped) return;
      this.scheduleRetry(event.code);
    };
  }

  scheduleRetry(code) {
    const delay = backoffDelay(this.attempt);
    this.attempt += 1;
    this.retryAt = Date.now() + delay;
    this.retryTimer = setTimeout(() => this.open(), delay);
    this.handlers.onState?.("waiting");
    this.handlers.onClose?.({ code, retryInMs: delay });
  }
}

function detach(socket) {
  socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null;
}
