// The helpers' queue page, /helpdesk/: GET /api/helpdesk/queue/ is the truth, fetched on
// load, on every (re)connect of /ws/helpdesk/ and when a new question needs its details;
// `question.changed` frames are merged in between (queue-model.js). Buttons call the
// question API; a refusal shows the server's sentence on the row. The helper's own
// settings are a small form sending PATCH /api/helpdesk/me/.

import { el, fetchJSON } from "../livechat/dom.js";
import { snippet } from "../livechat/format.js";
import {
  gettext,
  interfaceLocale,
  interpolate,
  interpolateParts,
  ngettext,
} from "../livechat/i18n.js";
import * as model from "./queue-model.js";
import { helpdeskSocket } from "./queue-socket.js";

const config = JSON.parse(document.getElementById("queue-config").textContent);
const ME = config.user.id;

const REFETCH_DEBOUNCE_MS = 250;
const ROW_ERROR_MS = 20_000;
const SOUND_KEY = "helpdesk:queue-sound";
const SNIPPET_LENGTH = 240;

function emptyText(filter) {
  switch (filter) {
    case "waiting":
      return gettext("No question is waiting for a helper.");
    case "mine":
      return gettext("No open question is yours or routed to you.");
    case "all":
      return gettext("No questions yet.");
    default:
      return gettext("No open questions.");
  }
}

function actionLabel(action) {
  switch (action) {
    case "claim":
      return gettext("I'm on it");
    case "unclaim":
      // Translators: a helper gives back a question they took, so that another helper can answer it.
      return gettext("Release");
    default:
      return gettext("Mark answered");
  }
}

/** A short beep through WebAudio: no audio file, and only after the helper turned the
 * sound on (a click, which browsers require before a page may play anything). */
class Beeper {
  constructor() {
    this.context = null;
  }

  unlock() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    this.context ??= new Context();
    this.context.resume?.();
  }

  beep() {
    const ctx = this.context;
    if (!ctx) return;
    const oscillator = ctx.createOscillator();
    const gain = ctx.createGain();
    oscillator.type = "sine";
    oscillator.frequency.value = 880;
    gain.gain.setValueAtTime(0.0001, ctx.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.15, ctx.currentTime + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + 0.25);
    oscillator.connect(gain).connect(ctx.destination);
    oscillator.start();
    oscillator.stop(ctx.currentTime + 0.3);
  }
}

class QueuePage {
  constructor() {
    this.list = document.getElementById("queue-list");
    this.empty = document.getElementById("queue-empty");
    this.connectionNote = document.getElementById("queue-connection");
    this.loadError = document.getElementById("queue-load-error");
    this.more = document.getElementById("queue-more");
    this.total = 0; // questions matching the filter on the server, shown or not
    this.live = document.getElementById("queue-live");
    this.filterButtons = [...document.querySelectorAll(".queue-filter")];
    this.soundToggle = document.getElementById("queue-sound");

    this.filter = model.parseFilter(config.state);
    this.questions = [];
    this.offset = 0; // the server's clock minus ours, ms
    this.rows = new Map(); // question id -> <li>
    this.errors = new Map(); // question id -> {text, timer}
    this.busy = new Set(); // question ids with a request under way
    this.loadSeq = 0;
    this.refetchTimer = null;
    this.beeper = new Beeper();
    this.announcer = new model.Announcer({ say: (text) => this.say(text) });
    this.socket = helpdeskSocket();
    this.wasOpen = false;
  }

  start() {
    for (const button of this.filterButtons) {
      button.addEventListener("click", () => this.setFilter(button.dataset.filter));
    }
    this.soundToggle.checked = localStorage.getItem(SOUND_KEY) === "on";
    this.soundToggle.addEventListener("change", () => {
      localStorage.setItem(SOUND_KEY, this.soundToggle.checked ? "on" : "off");
      if (this.soundToggle.checked) this.beeper.unlock();
    });
    // A helper who turned the sound on earlier: the first click on the page unlocks it.
    document.addEventListener("pointerdown", () => this.soundOn && this.beeper.unlock(), {
      once: true,
    });
    this.list.addEventListener("click", (event) => this.onClick(event));
    this.socket.subscribe({
      onFrame: (frame) => this.onFrame(frame),
      onState: (state) => this.onState(state),
    });
    setInterval(() => this.tick(), 1000);
    this.load();
  }

  get soundOn() {
    return this.soundToggle.checked;
  }

  get serverNow() {
    return Date.now() + this.offset;
  }

  // -- loading ------------------------------------------------------------------------------

  async load() {
    clearTimeout(this.refetchTimer);
    const seq = ++this.loadSeq;
    const filter = this.filter;
    try {
      const data = await fetchJSON(`/api/helpdesk/queue/?state=${encodeURIComponent(filter)}`);
      if (seq !== this.loadSeq) return; // a newer load (another filter) is under way
      this.offset = model.estimateOffset(data.questions, Date.now());
      const { list } = model.refreshRouting(data.questions, ME, this.serverNow);
      this.questions = model.sortQueue(list, filter);
      this.total = data.total ?? data.questions.length;
      this.loadError.hidden = true;
    } catch (error) {
      if (seq !== this.loadSeq) return;
      this.loadError.textContent = error.message;
      this.loadError.hidden = false;
    }
    this.list.setAttribute("aria-busy", "false");
    this.render();
  }

  refetchSoon() {
    clearTimeout(this.refetchTimer);
    this.refetchTimer = setTimeout(() => this.load(), REFETCH_DEBOUNCE_MS);
  }

  setFilter(filter) {
    this.filter = model.parseFilter(filter);
    for (const button of this.filterButtons) {
      button.setAttribute("aria-pressed", String(button.dataset.filter === this.filter));
    }
    const url = new URL(location.href);
    if (this.filter === model.DEFAULT_FILTER) url.searchParams.delete("state");
    else url.searchParams.set("state", this.filter);
    history.replaceState(null, "", url);
    this.list.setAttribute("aria-busy", "true");
    this.load();
  }

  // -- the socket ---------------------------------------------------------------------------

  onFrame(frame) {
    if (frame.type === "hello") {
      this.load(); // whatever changed while the socket was down
    } else if (frame.type === "question.changed" && frame.question) {
      this.merge(frame.question, frame.kind);
    }
  }

  onState(state) {
    // The first connection is not news; losing one is (until the next hello's refetch).
    if (state === "open") this.wasOpen = true;
    const down = state === "waiting" || (state === "connecting" && this.wasOpen);
    this.connectionNote.hidden = !down;
    this.connectionNote.textContent = down
      ? gettext("Reconnecting… the queue may be out of date until then.")
      : "";
  }

  merge(question, kind = null) {
    const result = model.mergeQuestion(this.questions, question, {
      filter: this.filter,
      meId: ME,
      serverNowMs: this.serverNow,
    });
    if (result.change === "ignored") return;
    this.questions = result.list;
    if (result.needsDetails) this.refetchSoon();
    const announce = kind && result.change !== "removed" && model.announcementKind(kind, question);
    if (announce && question.asker?.id !== ME) {
      this.announcer.add({ kind: announce, name: question.asker?.username ?? "" });
    }
    this.render();
  }

  say(text) {
    // Emptied first, so that the same sentence twice is read twice.
    this.live.textContent = "";
    setTimeout(() => {
      this.live.textContent = text;
    }, 50);
    if (this.soundOn) this.beeper.beep();
  }

  // -- actions ------------------------------------------------------------------------------

  async onClick(event) {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const id = Number(button.closest("[data-id]").dataset.id);
    if (this.busy.has(id)) return;
    const action = button.dataset.action;
    this.busy.add(id);
    this.clearError(id);
    this.render();
    try {
      const question = await fetchJSON(`/api/questions/${id}/${action}/`, { method: "POST" });
      this.merge(question);
    } catch (error) {
      // e.g. "Mia is already on this question." (409): the server's sentence, as it is.
      this.showError(id, error.message);
      if (error.status === 409 || error.status === 404) this.refetchSoon();
    } finally {
      this.busy.delete(id);
      this.render();
    }
  }

  showError(id, text) {
    this.clearError(id);
    const timer = setTimeout(() => {
      this.errors.delete(id);
      this.render();
    }, ROW_ERROR_MS);
    this.errors.set(id, { text, timer });
  }

  clearError(id) {
    const held = this.errors.get(id);
    if (held) clearTimeout(held.timer);
    this.errors.delete(id);
  }

  // -- rendering ----------------------------------------------------------------------------

  tick() {
    const { list, changed } = model.refreshRouting(this.questions, ME, this.serverNow);
    if (changed) {
      this.questions = model.sortQueue(list, this.filter);
      this.render();
      return;
    }
    for (const question of this.questions) {
      const row = this.rows.get(question.id);
      if (row) this.updateTimes(row, question);
    }
  }

  render() {
    const wanted = new Set(this.questions.map((q) => q.id));
    for (const [id, row] of this.rows) {
      if (!wanted.has(id)) {
        row.remove();
        this.rows.delete(id);
      }
    }
    const focused = this.focusedAction();
    this.questions.forEach((question, index) => {
      const row = this.rows.get(question.id) ?? el("li", { class: "q", "data-id": question.id });
      this.rows.set(question.id, row);
      this.fill(row, question);
      // Moved only when out of place: moving a node takes the focus away from it.
      const there = this.list.children[index] ?? null;
      if (there !== row) this.list.insertBefore(row, there);
    });
    this.restoreFocus(focused);
    this.empty.textContent = emptyText(this.filter);
    this.empty.hidden = this.questions.length > 0;
    // The server sends a page (the oldest first); say how many it left out.
    const total = Math.max(this.total, this.questions.length);
    this.more.hidden = total <= this.questions.length;
    this.more.textContent = interpolate(
      ngettext(
        "Showing %(shown)s of %(total)s question.",
        "Showing %(shown)s of %(total)s questions.",
        total,
      ),
      { shown: this.questions.length, total },
      true,
    );
  }

  focusedAction() {
    const active = document.activeElement;
    const row = active?.closest?.("#queue-list [data-id]");
    if (!row) return null;
    return { id: row.dataset.id, action: active.dataset.action ?? null, node: active };
  }

  restoreFocus(focused) {
    if (!focused || document.activeElement === focused.node) return;
    const row = this.list.querySelector(`[data-id="${focused.id}"]`);
    if (!row) return;
    const target =
      (focused.action && row.querySelector(`[data-action="${focused.action}"]`)) ||
      row.querySelector("button, a");
    target?.focus();
  }

  /** (Re)build a row's content when what it shows changed. */
  fill(row, question) {
    const error = this.errors.get(question.id)?.text ?? "";
    const busy = this.busy.has(question.id);
    const key = JSON.stringify([
      question.updated_at,
      question.state,
      question.routed_to_me,
      question.asker_info,
      question.first_message,
      error,
      busy,
    ]);
    if (row.dataset.key === key) {
      this.updateTimes(row, question);
      return;
    }
    row.dataset.key = key;
    row.dataset.state = question.state;
    row.classList.toggle("is-routed", Boolean(question.routed_to_me));
    const titleId = `q-${question.id}-title`;
    const asker = question.asker?.username ?? "";
    const facts = model.askerFacts(question.asker_info, this.serverNow);
    const room = config.rooms[question.room] ?? question.room;
    const allowed = model.actionsFor(question, { meId: ME, moderator: config.moderator });

    row.replaceChildren(
      el(
        "div",
        { class: "q-wait" },
        el("span", { class: "q-wait-value" }),
        el("span", { class: "q-wait-label muted" }),
      ),
      el(
        "div",
        { class: "q-main" },
        el(
          "p",
          { class: "q-who", id: titleId },
          el("bdi", { class: "q-asker" }, asker),
          facts.length ? el("span", { class: "q-facts muted" }, facts.join(" · ")) : null,
          el(
            "span",
            { class: "q-room muted" },
            interpolate(gettext("in %(room)s"), { room }, true),
          ),
        ),
        question.routed_to_me
          ? el("p", { class: "q-routed" }, gettext("Routed to you first (your mentee)"))
          : null,
        el(
          "p",
          { class: "q-text", dir: "auto" },
          question.first_message === undefined
            ? el("span", { class: "muted" }, gettext("Loading…"))
            : snippet(question.first_message, SNIPPET_LENGTH) ||
                el("span", { class: "muted" }, gettext("(hidden message)")),
        ),
        el(
          "p",
          { class: "q-state" },
          el(
            "span",
            { class: "q-state-text" },
            interpolateParts(model.stateSentence(question, ME), {
              name: el("bdi", {}, question.claimed_by?.username ?? ""),
            }),
          ),
          el("span", { class: "q-claim-left muted" }),
        ),
        error ? el("p", { class: "q-error", role: "alert" }, error) : null,
      ),
      el(
        "div",
        { class: "q-actions", role: "group", "aria-labelledby": titleId },
        ["claim", "unclaim", "resolve"]
          .filter((action) => allowed[action])
          .map((action) =>
            el(
              "button",
              {
                type: "button",
                class: action === "claim" ? "button-primary" : "button-secondary",
                "data-action": action,
                "aria-disabled": busy ? "true" : null,
              },
              actionLabel(action),
            ),
          ),
        el(
          "a",
          {
            class: "q-open",
            href: `/rooms/${encodeURIComponent(question.room)}/#message-${question.message_id}`,
          },
          gettext("Open in room"),
        ),
      ),
    );
    this.updateTimes(row, question);
  }

  updateTimes(row, question) {
    const now = this.serverNow;
    const seconds = model.waitSeconds(question, now);
    const replied = Boolean(question.first_reply_at);
    row.dataset.level = replied || !model.isOpen(question) ? "done" : model.waitLevel(seconds);
    row.querySelector(".q-wait-value").textContent = model.formatWait(seconds);
    row.querySelector(".q-wait-label").textContent = replied
      ? gettext("to the first reply")
      : gettext("waiting");
    const left = model.claimMinutesLeft(question, now);
    row.querySelector(".q-claim-left").textContent =
      left === null ? "" : interpolate(gettext("(%(count)s min left)"), { count: left }, true);
  }
}

/** The helper's own settings: PATCH /api/helpdesk/me/ with what the form holds; a
 * refusal names its field, shown next to it. */
class SettingsForm {
  constructor(form) {
    this.form = form;
    this.status = form.querySelector("#settings-status");
    this.muteStatus = form.querySelector("#settings-mute-status");
  }

  start() {
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.save();
    });
    this.showMute(config.mutedUntil);
  }

  body() {
    const data = new FormData(this.form);
    const body = {
      away_until: data.get("away_until") || null,
      backup: data.get("backup") ? Number(data.get("backup")) : null,
    };
    // A weight the wiki's mentor list sets is shown disabled, and not sent.
    if (!this.form.elements.weight.disabled) body.weight = Number(data.get("weight"));
    if (data.get("mute_minutes") !== "") body.mute_minutes = Number(data.get("mute_minutes"));
    return body;
  }

  async save() {
    this.clearErrors();
    this.status.textContent = gettext("Saving…");
    try {
      const data = await fetchJSON("/api/helpdesk/me/", { method: "PATCH", body: this.body() });
      this.form.elements.mute_minutes.value = "";
      this.showMute(data.me?.muted_until ?? null);
      this.status.textContent = gettext("Settings saved.");
    } catch (error) {
      const field = error.body?.field;
      const slot = field && this.form.querySelector(`[data-error-for="${field}"]`);
      if (slot) {
        slot.textContent = error.message;
        const input = this.form.elements[field];
        input?.setAttribute("aria-invalid", "true");
        input?.focus();
        this.status.textContent = gettext("Not saved: see the message next to the field.");
      } else {
        this.status.textContent = error.message;
      }
    }
  }

  clearErrors() {
    for (const slot of this.form.querySelectorAll("[data-error-for]")) slot.textContent = "";
    for (const input of this.form.querySelectorAll("[aria-invalid]")) {
      input.removeAttribute("aria-invalid");
    }
  }

  showMute(mutedUntil) {
    const until = mutedUntil ? new Date(mutedUntil) : null;
    if (!until || until.getTime() <= Date.now()) {
      this.muteStatus.textContent = gettext("Escalation notices are on.");
      return;
    }
    const time = new Intl.DateTimeFormat(interfaceLocale(), {
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
    }).format(until);
    this.muteStatus.textContent = interpolate(
      gettext("Escalation notices are muted until %(time)s."),
      { time },
      true,
    );
  }
}

new QueuePage().start();
const settingsForm = document.getElementById("helper-settings");
if (settingsForm) new SettingsForm(settingsForm).start();
