// The connection banner above the messages: hidden while live; otherwise it says what is
// going on (connecting, reconnecting, offline, when the next try is, how many messages
// wait, whether the page is polling), and ends with a reason when retrying cannot help.

import { el } from "./dom.js";
import { gettext, interpolate, ngettext } from "./i18n.js";

const TICK_MS = 1000; // "Next try in N s" counts down

export class ConnectionStatus {
  /**
   * @param {object} dom    status, statusText, statusDetail, retry (the "Retry now" button)
   * @param {Function} facts  () => {live, helloSeenEver, waiting, retryAt, queued, polling}
   */
  constructor(dom, facts) {
    this.dom = dom;
    this.facts = facts;
    this.ticker = null;
  }

  /** Show the state of the socket, or `text` when something else is going on (a resync). */
  show(text = null) {
    clearInterval(this.ticker);
    const { status, retry } = this.dom;
    const facts = this.facts();
    if (facts.live && !text) {
      status.dataset.state = "live";
      this.setText(gettext("Connected."), "");
      retry.hidden = true;
      return;
    }
    if (text || !facts.helloSeenEver) {
      status.dataset.state = "connecting";
      retry.hidden = !facts.waiting;
    } else {
      status.dataset.state = "reconnecting";
      retry.hidden = false;
    }
    const render = () => this.setText(text || this.sentence(), this.details());
    render();
    this.ticker = setInterval(render, TICK_MS);
  }

  sentence() {
    const { helloSeenEver } = this.facts();
    const offline = globalThis.navigator?.onLine === false;
    if (helloSeenEver) {
      return offline ? gettext("You are offline. Reconnecting…") : gettext("Reconnecting…");
    }
    return offline ? gettext("You are offline. Connecting…") : gettext("Connecting…");
  }

  /** Whole sentences, each translated as one, shown one after the other. */
  details() {
    const { waiting, retryAt, queued, polling } = this.facts();
    const details = [];
    if (waiting) {
      const seconds = Math.ceil((retryAt - Date.now()) / 1000);
      if (seconds > 0) {
        details.push(interpolate(gettext("Next try in %(seconds)s s."), { seconds }, true));
      }
    }
    if (queued) {
      details.push(
        interpolate(
          ngettext(
            "%(count)s message will be sent then.",
            "%(count)s messages will be sent then.",
            queued,
          ),
          { count: queued },
          true,
        ),
      );
    }
    if (polling) details.push(gettext("Checking for new messages every few seconds."));
    return details.join(" ");
  }

  /** Retrying cannot fix this (signed out, the room is gone): say so, for good. */
  ended(text, { signIn = false } = {}) {
    clearInterval(this.ticker);
    this.dom.status.dataset.state = "ended";
    this.setText(text, "");
    this.dom.retry.hidden = true;
    if (signIn) {
      const href = `/accounts/login/?next=${encodeURIComponent(location.pathname)}`;
      this.dom.statusDetail.append(el("a", { href }, gettext("Sign in again")));
    }
  }

  /** Only touch the live region when its sentence changes, so it is announced once. */
  setText(sentence, detail) {
    const { statusText, statusDetail } = this.dom;
    if (statusText.textContent !== sentence) statusText.textContent = sentence;
    statusDetail.textContent = detail;
  }
}
