// The "being sent" list below the messages: the user's messages the server has not
// confirmed yet (sending.js decides their state), and the refused ones with the reason and
// what can be done: wait out a rate limit, send a warned text anyway, edit it, discard it.

import { el, timeElement } from "./dom.js";
import { gettext, interpolate } from "./i18n.js";

const COUNTDOWN_TICK_MS = 250;

function stateLabel(state) {
  switch (state) {
    case "sending":
      return gettext("Sending…");
    case "queued":
      return gettext("Waiting for the connection…");
    case "sent":
      // Translators: the state of one of the reader's own messages: the server has it.
      return gettext("Sent");
    case "failed":
      // Translators: the state of one of the reader's own messages: it could not be delivered yet.
      return gettext("Not sent");
    default:
      return state;
  }
}

export class OutgoingList {
  /**
   * @param {HTMLOListElement} list
   * @param {object} me        {username}
   * @param {object} actions   retry, discard, sendAnyway, reuseDraft: (clientId) => void
   */
  constructor(list, me, actions) {
    this.list = list;
    this.me = me;
    this.actions = actions;
    /** @type {Map<string, number>} client id -> the "Try again in N s" interval */
    this.countdowns = new Map();
  }

  find(clientId) {
    return this.list.querySelector(`[data-client-id="${CSS.escape(clientId)}"]`);
  }

  /** Show (or update) one entry. A failure carries the server's sentence and its error
   * frame (`refusal`: code, warning, retry_after), which decide the buttons. */
  show(entry, state, detail = "", refusal = null) {
    const old = this.find(entry.clientId);
    this.stopCountdown(entry.clientId);
    const node = el(
      "li",
      { class: `msg mine pending pending-${state}`, "data-client-id": entry.clientId },
      el(
        "div",
        { class: "msg-meta" },
        el("bdi", { class: "msg-author" }, this.me.username),
        timeElement(entry.createdAt),
        el("span", { class: "pending-state" }, stateLabel(state)),
      ),
      el("div", { class: "msg-body msg-body-plain", dir: "auto" }, entry.body),
    );
    if (state === "failed") {
      node.append(
        el("p", { class: "msg-error", role: "alert" }, detail),
        this.renderFailedActions(entry, refusal || {}),
      );
    }
    if (old) old.replaceWith(node);
    else this.list.append(node);
  }

  remove(clientId) {
    this.stopCountdown(clientId);
    this.find(clientId)?.remove();
  }

  renderFailedActions(entry, refusal) {
    const { clientId } = entry;
    const button = (label, action, props = {}) =>
      el("button", { type: "button", class: "button-quiet", onclick: action, ...props }, label);
    const actions = el("div", { class: "msg-actions" });
    if (refusal.code === "filtered" && refusal.warning) {
      // A warning lets the same text through when it is sent again.
      actions.append(
        button(gettext("Send anyway"), () => this.actions.sendAnyway(clientId), {
          class: "button-quiet button-warn",
        }),
      );
    } else if (refusal.code !== "filtered") {
      // A filter that refuses would refuse the same text again: only editing helps.
      const retry = button(gettext("Try again"), () => this.actions.retry(clientId));
      actions.append(retry);
      const seconds = Number(refusal.retry_after);
      if (refusal.code === "rate_limited" && seconds > 0) {
        this.startCountdown(clientId, retry, Date.now() + seconds * 1000);
      }
    }
    actions.append(
      button(gettext("Edit"), () => this.actions.reuseDraft(clientId), {
        "aria-label": gettext("Edit in the message box"),
      }),
      button(gettext("Discard"), () => this.actions.discard(clientId)),
    );
    return actions;
  }

  /** "Try again in N s", disabled, until the rate limit has passed. */
  startCountdown(clientId, button, until) {
    const tick = () => {
      const seconds = Math.ceil((until - Date.now()) / 1000);
      if (seconds > 0) {
        button.disabled = true;
        button.textContent = interpolate(gettext("Try again in %(seconds)s s"), { seconds }, true);
        return;
      }
      this.stopCountdown(clientId);
      button.disabled = false;
      button.textContent = gettext("Try again");
    };
    tick();
    if (button.disabled) this.countdowns.set(clientId, setInterval(tick, COUNTDOWN_TICK_MS));
  }

  stopCountdown(clientId) {
    clearInterval(this.countdowns.get(clientId));
    this.countdowns.delete(clientId);
  }
}
