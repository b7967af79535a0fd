// Inline editing of one's own messages. The editor (a form with the draft) is one of the
// pieces of DOM that survive a re-render of its message (timeline.js), so the draft,
// caret and focus are never lost when a newer copy of the message arrives. Edits carry
// the revision they started from; the server refuses a stale one (conflict) and the
// editor then shows the newer text above the draft.

import { el } from "./dom.js";
import { gettext, interpolate } from "./i18n.js";

export class Editing {
  /**
   * @param {import("./timeline.js").Timeline} timeline  re-renders the message (upsert)
   * @param {Function} save  (id, body, baseRevision) => true if the edit went out
   */
  constructor(timeline, save) {
    this.timeline = timeline;
    this.save = save;
    /** @type {Map<number, object>} message id -> open editor {form, textarea, notice, …} */
    this.open = new Map();
  }

  get(id) {
    return this.open.get(id);
  }

  isSaving(id) {
    return Boolean(this.open.get(id)?.saving);
  }

  clear() {
    this.open.clear();
  }

  start(id) {
    const message = this.timeline.messages.get(id);
    if (!message || this.open.has(id)) return;
    const edit = this.build(id, message);
    this.open.set(id, edit);
    this.timeline.upsert(message);
    const { textarea } = edit;
    textarea.focus();
    textarea.setSelectionRange(textarea.value.length, textarea.value.length);
    edit.form.scrollIntoView({ block: "nearest" });
  }

  build(id, message) {
    const textarea = el("textarea", {
      class: "edit-input",
      dir: "auto",
      rows: Math.min(8, Math.max(2, message.body.split("\n").length)),
      "aria-label": gettext("Text of your message"),
      "data-focus": "edit-input",
    });
    textarea.value = message.body;
    const notice = el("p", { class: "edit-notice", role: "status" });
    const save = el("button", { type: "submit", class: "button-primary" }, gettext("Save"));
    const cancel = el(
      "button",
      { type: "button", class: "button-quiet", onclick: () => this.cancel(id) },
      gettext("Cancel"),
    );
    const form = el(
      "form",
      { class: "edit-form" },
      textarea,
      el(
        "div",
        { class: "edit-buttons" },
        save,
        cancel,
        el("span", { class: "muted" }, gettext("Esc to cancel")),
      ),
      notice,
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit(id);
    });
    textarea.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        this.cancel(id);
      } else if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit(id);
      }
    });
    return {
      form,
      textarea,
      notice,
      save,
      baseRevision: message.revision,
      saving: false,
      showCurrent: false,
    };
  }

  submit(id) {
    const edit = this.open.get(id);
    const message = this.timeline.messages.get(id);
    if (!edit || !message || edit.saving) return;
    const body = edit.textarea.value.trim();
    if (!body) {
      edit.notice.textContent = gettext("A message cannot be empty.");
      return;
    }
    if (body === message.body && edit.baseRevision === message.revision) {
      this.cancel(id); // nothing changed
      return;
    }
    if (!this.save(id, body, edit.baseRevision)) {
      edit.notice.textContent = gettext(
        "You are offline. Save again when the connection is back.",
      );
      return;
    }
    setSaving(edit, true);
    edit.notice.textContent = gettext("Saving…");
  }

  cancel(id) {
    if (!this.open.delete(id)) return;
    this.timeline.rerender(id);
    this.timeline.elements.get(id)?.querySelector(".msg-edit")?.focus();
  }

  /** A newer copy of a message being edited arrived: close the editor if it is our save
   * landing, otherwise tell the user and keep their draft. */
  settle(message) {
    const edit = this.open.get(message.id);
    if (!edit || message.revision <= edit.baseRevision) return;
    if (edit.saving || message.body === edit.textarea.value.trim()) {
      this.open.delete(message.id);
      return;
    }
    edit.showCurrent = true;
    edit.notice.textContent = gettext(
      "This message was changed meanwhile (shown above). Saving replaces it with your draft.",
    );
  }

  /** The server refused an edit because the message moved on (409 conflict): show the
   * newer text above the editor and keep the draft; saving again replaces that version. */
  conflict(id, currentRevision, message, detail) {
    const edit = this.open.get(id);
    if (!edit) {
      if (message) this.timeline.upsert(message);
      return this.timeline.showError(id, detail);
    }
    setSaving(edit, false);
    // Rebase before re-rendering, so that the newer copy does not count as our save.
    edit.baseRevision = message?.revision ?? currentRevision ?? edit.baseRevision;
    edit.showCurrent = true;
    if (message) this.timeline.upsert(message);
    // The server's sentence (which names the revision) comes first, as one unit.
    edit.notice.textContent = interpolate(
      gettext("%(detail)s The current text is shown above your draft; save again to replace it."),
      { detail },
      true,
    );
    edit.textarea.focus();
    edit.form.scrollIntoView({ block: "nearest" });
    return true;
  }

  /** An edit was refused for another reason (forbidden, filtered, too long, …). */
  failed(id, detail) {
    const edit = this.open.get(id);
    if (!edit) return this.timeline.showError(id, detail);
    setSaving(edit, false);
    edit.notice.textContent = detail;
    return true;
  }

  /** After a reconnect an edit in flight may or may not have reached the server: let the
   * user save again (a landed save closes the editor when its event is replayed). */
  releaseSaving() {
    for (const edit of this.open.values()) {
      if (!edit.saving) continue;
      setSaving(edit, false);
      edit.notice.textContent = gettext(
        "The connection was interrupted; save again if your change does not appear.",
      );
    }
  }
}

function setSaving(edit, saving) {
  edit.saving = saving;
  edit.textarea.readOnly = saving;
  edit.save.disabled = saving;
}
