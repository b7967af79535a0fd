// The polling fallback's clock: while the socket stays down (a proxy that blocks
// WebSockets, a flaky network) the page reads the room from the events API and sends its
// queue with POST. Both are safe to overlap with the socket coming back: events are applied
// by id, sends dedupe by client_id. No DOM: what one round does and the timers are injected.

export const POLL_AFTER_MS = 10000; // socket down this long: start polling the events API
export const POLL_EVERY_MS = 5000;

export class Poller {
  /**
   * @param {object} options
   * @param {Function} options.round      async () => one round (fetch events, send queue)
   * @param {Function} options.shouldRun  () => false once the socket is back or stopped
   * @param {object} [options.timers]     {setTimeout, clearTimeout}
   */
  constructor({
    round,
    shouldRun,
    timers = globalThis,
    afterMs = POLL_AFTER_MS,
    everyMs = POLL_EVERY_MS,
  }) {
    this.round = round;
    this.shouldRun = shouldRun;
    this.timers = timers;
    this.afterMs = afterMs;
    this.everyMs = everyMs;
    this.timer = null;
  }

  /** The socket went down: poll if it is still down in a while. */
  startSoon() {
    if (this.timer) return;
    this.timer = this.timers.setTimeout(() => this.poll(), this.afterMs);
  }

  stop() {
    if (this.timer) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  /** True while polling is scheduled or under way. */
  get active() {
    return this.timer !== null;
  }

  async poll() {
    if (!this.shouldRun()) {
      this.timer = null;
      return;
    }
    const mine = this.timer;
    try {
      await this.round();
    } finally {
      // stop() or a new startSoon() during the round took the loop over: leave it to them.
      if (this.timer === mine) {
        // The socket may have come back (or the page stopped) during the round.
        this.timer = this.shouldRun()
          ? this.timers.setTimeout(() => this.poll(), this.everyMs)
          : null;
      }
    }
  }
}
