// The reason form under a message: hiding, unhiding and reporting all ask for a reason
// in a small form (a labelled text field, confirm and cancel; Escape cancels). The form
// stays open (and busy) until the server answers: the hidden/unhidden event, `reported`,
// or an error. It is one of the pieces of DOM that survive a re-render of its message
// (timeline.js), so the reason typed so far is never lost.

import { el } from "./dom.js";
import { gettext, interpolate, pgettext } from "./i18n.js";

/** The words of each kind of form; looked up when shown, once the catalog is in. */
export function promptTexts(kind) {
  switch (kind) {
    case "hide":
      return {
        // Translators: a button under a message; its name for screen readers is the next
        // message ("Hide %(name)s's message"), which must contain these words (WCAG 2.5.3).
        verb: pgettext("a message's tool", "Hide"),
        button: (name) => interpolate(gettext("Hide %(name)s's message"), { name }, true),
        title: gettext("Hide this message"),
        label: gettext("Why hide this message? (required; kept in the moderation log)"),
        placeholder: gettext("e.g. personal attack"),
        confirm: gettext("Hide message"),
      };
    case "unhide":
      return {
        // Translators: a button under a message; its name for screen readers is the next
        // message ("Unhide %(name)s's message"), which must contain these words (WCAG 2.5.3).
        verb: pgettext("a message's tool", "Unhide"),
        button: (name) => interpolate(gettext("Unhide %(name)s's message"), { name }, true),
        title: gettext("Unhide this message"),
        label: gettext("Why show this message again? (required; kept in the moderation log)"),
        placeholder: gettext("e.g. hidden by mistake"),
        confirm: gettext("Unhide message"),
      };
    default:
      return {
        // Translators: a button under a message; its name for screen readers is the next
        // message ("Report %(name)s's message"), which must contain these words (WCAG 2.5.3).
        verb: pgettext("a message's tool", "Report"),
        button: (name) => interpolate(gettext("Report %(name)s's message"), { name }, true),
        title: gettext("Report this message"),
        label: gettext("What is wrong with this message? (required; moderators will read it)"),
        placeholder: gettext("e.g. spam, harassment"),
        confirm: gettext("Send report"),
      };
  }
}

export class ReasonPrompts {
  /**
   * @param {import("./timeline.js").Timeline} timeline  re-renders the message (upsert)
   * @param {object} actions  report(id, reason) -> bool, moderate(id, kind, reason) -> bool
   */
  constructor(timeline, actions) {
    this.timeline = timeline;
    this.actions = actions;
    /** @type {Map<number, object>} message id -> open form {kind, form, input, notice, …} */
    this.open = new Map();
  }

  get(id) {
    return this.open.get(id);
  }

  clear() {
    this.open.clear();
  }

  /** Open the form for `kind` (hide, unhide, report) under message `id`. */
  show(id, kind) {
    const message = this.timeline.messages.get(id);
    if (!message) return;
    const already = this.open.get(id);
    if (already?.kind === kind) {
      already.input.focus();
      return;
    }
    const prompt = this.build(id, kind);
    this.open.set(id, prompt);
    this.timeline.upsert(message);
    prompt.input.focus();
    prompt.form.scrollIntoView({ block: "nearest" });
  }

  build(id, kind) {
    const texts = promptTexts(kind);
    const inputId = `prompt-${id}-reason`;
    const input = el("input", {
      type: "text",
      id: inputId,
      class: "prompt-input",
      maxlength: 1000,
      autocomplete: "off",
      "aria-required": "true",
      "aria-describedby": `prompt-${id}-notice`,
      placeholder: texts.placeholder,
      "data-focus": "prompt-input",
    });
    const notice = el("p", { class: "prompt-notice", id: `prompt-${id}-notice`, role: "alert" });
    const confirm = el(
      "button",
      {
        type: "submit",
        class: kind === "report" ? "button-primary" : "button-danger",
        "data-focus": "prompt-confirm",
      },
      texts.confirm,
    );
    const cancel = el(
      "button",
      {
        type: "button",
        class: "button-quiet",
        "data-focus": "prompt-cancel",
        onclick: () => this.close(id),
      },
      gettext("Cancel"),
    );
    const form = el(
      "form",
      { class: `prompt-form prompt-${kind}`, id: `prompt-${id}`, "aria-label": texts.title },
      el("label", { for: inputId, class: "prompt-label" }, texts.label),
      el(
        "div",
        { class: "prompt-row" },
        input,
        confirm,
        cancel,
        el("span", { class: "muted prompt-hint" }, gettext("Esc to cancel")),
      ),
      notice,
    );
    const prompt = { kind, form, input, notice, confirm, sending: false };
    this.bind(id, prompt);
    return prompt;
  }

  bind(id, prompt) {
    prompt.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit(id);
    });
    prompt.form.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        this.close(id);
      }
    });
    prompt.input.addEventListener("input", () => {
      if (!prompt.sending) prompt.notice.textContent = "";
    });
  }

  submit(id) {
    const prompt = this.open.get(id);
    if (!prompt || prompt.sending) return;
    const reason = prompt.input.value.trim();
    if (!reason) {
      prompt.notice.textContent = gettext("Give a reason.");
      prompt.input.focus();
      return;
    }
    const sent =
      prompt.kind === "report"
        ? this.actions.report(id, reason)
        : this.actions.moderate(id, prompt.kind, reason);
    if (!sent) {
      prompt.notice.textContent = gettext(
        "You are offline; try again when the connection is back.",
      );
      return;
    }
    prompt.notice.textContent = "";
    setSending(prompt, true);
  }

  /** Close the form; focus goes back to the button that opened it. */
  close(id, { focusKey = null } = {}) {
    const prompt = this.open.get(id);
    if (!prompt) return;
    const hadFocus = prompt.form.contains(document.activeElement);
    this.open.delete(id);
    this.timeline.rerender(id);
    const node = this.timeline.elements.get(id);
    if (hadFocus && node) {
      const target =
        node.querySelector(`[data-focus="${focusKey || prompt.kind}"]`) ||
        node.querySelector(".msg-tools button, .msg-tools summary");
      target?.focus();
    }
  }

  /** A newer copy of the message arrived: a hide or unhide it answers (or makes moot)
   * closes the form. Returns the data-focus key of the control to focus, if it closed. */
  settle(message) {
    const prompt = this.open.get(message.id);
    if (!prompt) return null;
    const done =
      (prompt.kind === "hide" && message.hidden) ||
      (prompt.kind === "unhide" && !message.hidden) ||
      (prompt.kind === "report" && message.hidden);
    if (!done) return null;
    this.open.delete(message.id);
    if (!message.hidden) return "hide";
    return this.timeline.moderator ? "unhide" : null;
  }

  /** The server took the report (`reported`). */
  done(id, text) {
    if (this.open.get(id)?.kind === "report") this.close(id);
    this.timeline.showNotice(id, text);
  }

  /** An error answering a hide, unhide or report. Returns false if none was in flight. A
   * reason the server did not like keeps the form open; anything else closes it and is
   * shown on the message (e.g. "already reported"). */
  failed(id, code, detail) {
    const prompt = this.open.get(id);
    if (!prompt || !prompt.sending) return false;
    setSending(prompt, false);
    if (code === "invalid" || code === "too_long") {
      prompt.notice.textContent = detail;
      prompt.input.focus();
      return true;
    }
    this.close(id);
    this.timeline.showError(id, detail);
    return true;
  }

  /** After a reconnect a hide or report in flight may or may not have arrived: let the
   * user confirm again (the server refuses a duplicate report with a clear sentence). */
  releaseSending() {
    for (const prompt of this.open.values()) {
      if (!prompt.sending) continue;
      setSending(prompt, false);
      prompt.notice.textContent = gettext(
        "The connection was interrupted; confirm again if nothing changed.",
      );
    }
  }
}

function setSending(prompt, sending) {
  prompt.sending = sending;
  prompt.input.readOnly = sending;
  // aria-disabled, not disabled: a disabled button drops the keyboard focus, which must
  // stay in the form until the answer moves it (submit() ignores clicks meanwhile).
  prompt.confirm.setAttribute("aria-disabled", sending ? "true" : "false");
  prompt.form.setAttribute("aria-busy", sending ? "true" : "false");
}
