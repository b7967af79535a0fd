// The help desk in a help room (the room page and the widget): what an asker may expect
// before they ask (the banner above the message box), each question's state on its first
// message with its buttons, the asker's own question in plain words while it waits, and
// their mentor; for helpers, the activity ping that makes them count as available.
//
// The words and rules are pure modules (expectations.js, question-state.js); this one
// fetches, listens and puts them on the page. It plugs into the room through
// livechat/extensions.js: question.* events from the room's log, a part under each
// message, the ChatRoom. room.html loads it before chat.js, and only in help rooms.

import { el, fetchJSON, isolated } from "../livechat/dom.js";
import { onRoom, registerEventKinds, registerMessagePart } from "../livechat/extensions.js";
import { gettext, interfaceLocale } from "../livechat/i18n.js";
import { availabilityText, mentorParts, mentorText } from "./expectations.js";
import {
  QUESTION_KINDS,
  actionsFor,
  chipFor,
  currentQuestion,
  escalationFor,
  isAsker,
  isHelper,
  isNewer,
} from "./question-state.js";
import { startSuggestions } from "./suggestions.js";

const REFRESH_EVERY_MS = 20_000; // availability, while the page is visible
const PRESENCE_SETTLE_MS = 2_000; // presence frames come in bursts (a deploy, a blip)
const ACTIVE_EVERY_MS = 60_000; // the helper's `active` ping, at most this often
const STATES_SETTLE_MS = 300; // gather a history page's ids into one request
const STATES_RETRY_MS = 10_000;
const STATES_BATCH = 100; // the most ids the question-states API takes at once
// Question events that mean a helper just acted, and so is available now.
const HELPER_ACTED = new Set(["question.claimed", "question.answered"]);

class HelpDeskRoom {
  /**
   * @param {object} config  the page's config (#chat-config): user, room, help,
   *                         availabilityUrl
   * @param {object} dom     the banner's elements (see pageElements)
   */
  constructor(config, dom) {
    this.config = config;
    this.me = config.user;
    this.helper = config.helper ?? isHelper(config.user);
    this.api = `/api/rooms/${encodeURIComponent(config.room.slug)}`;
    this.dom = dom;
    this.room = null; // the ChatRoom, once chat.js made it
    this.questions = new Map(); // question id -> the newest copy
    this.byMessage = new Map(); // first message id -> question id
    this.checked = new Set(); // message ids whose question (or lack of one) is known or asked
    this.live = new Set(); // message ids that came live: their question.opened follows
    this.pendingIds = new Set(); // message ids to ask the question-states API about
    this.busy = new Set(); // question ids with a button's request in flight
    this.statesTimer = null;
    this.presenceTimer = null;
    this.availabilityBusy = false;
    this.availabilityAgain = false;
    this.lastActive = 0;
  }

  start(room) {
    this.room = room;
    window.addEventListener("livechat:frame", (event) => this.onFrame(event.detail));
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.refreshAvailability();
    });
    setInterval(() => this.refreshAvailability(), REFRESH_EVERY_MS);
    if (this.helper) this.bindActivity();
    this.refreshAvailability();
    this.loadMine();
    this.loadMentor();
  }

  // -- what to expect: the banner ------------------------------------------------------------

  /** GET availability, when the page is visible; one request at a time, and one more
   * after it when asked meanwhile (a presence change during a request). */
  async refreshAvailability() {
    if (document.visibilityState !== "visible") return;
    if (this.availabilityBusy) {
      this.availabilityAgain = true;
      return;
    }
    this.availabilityBusy = true;
    try {
      this.renderAvailability(await fetchJSON(this.config.availabilityUrl));
    } catch {
      // Offline: keep the last sentence; the next round tries again.
    } finally {
      this.availabilityBusy = false;
      if (this.availabilityAgain) {
        this.availabilityAgain = false;
        this.refreshAvailability();
      }
    }
  }

  renderAvailability(data) {
    const text = availabilityText(data, new Date());
    const { availability, people, banner } = this.dom;
    // A live region announces every write, even of the same words: only a new sentence.
    if (availability.textContent !== text.text) availability.textContent = text.text;
    if (people.textContent !== text.people) people.textContent = text.people;
    people.hidden = !text.people;
    banner.dataset.basis = text.online ? "online" : data.basis || "none";
  }

  /** Presence moved in this room (a helper may have come or gone): ask again soon. */
  presenceChanged() {
    clearTimeout(this.presenceTimer);
    this.presenceTimer = setTimeout(() => this.refreshAvailability(), PRESENCE_SETTLE_MS);
  }

  async loadMentor() {
    try {
      const status = await fetchJSON("/api/helpdesk/me/");
      const text = mentorText(status, interfaceLocale());
      this.dom.mentor.replaceChildren(...isolated(mentorParts(status, interfaceLocale())));
      this.dom.mentor.hidden = !text;
    } catch {
      // Without the line the page still works; the next visit shows it.
    }
  }

  // -- the asker's own question --------------------------------------------------------------

  async loadMine() {
    try {
      const data = await fetchJSON(`${this.api}/questions/`);
      for (const question of data.questions || []) this.store(question);
    } catch {
      // The events still bring every change from now on.
    }
    this.renderAsker();
  }

  /** While the asker's newest open question waits (or a helper has it): what happens
   * next, in plain words, and that they may leave. */
  renderAsker() {
    const question = currentQuestion(this.questions.values(), this.me);
    const waiting = question && ["waiting", "claimed"].includes(question.state);
    const { asker, askerStatus, helpPages } = this.dom;
    asker.hidden = !waiting;
    if (!waiting) {
      if (askerStatus.textContent) askerStatus.textContent = "";
      return;
    }
    const escalation = escalationFor(question, this.me);
    // Escalation speaks while nobody has the question; once someone does, who it is.
    const chip = question.state === "claimed" ? chipFor(question, this.me) : null;
    const text = escalation?.text ?? chip?.text ?? "";
    if (askerStatus.textContent !== text) {
      askerStatus.replaceChildren(...(escalation || !chip?.parts ? [text] : isolated(chip.parts)));
    }
    askerStatus.hidden = !text;
    if (helpPages) helpPages.hidden = !escalation?.helpPages;
  }

  // -- questions: the log's events, the chips and buttons -------------------------------------

  /** A question.* event from the room's log (delivery.js applies them in order). */
  onEvent(event) {
    const question = event.question;
    if (!question?.id) return false;
    this.store(question);
    // A first question draws a newcomer's mentor: say who it is.
    if (event.kind === "question.opened" && isAsker(question, this.me)) this.loadMentor();
    // A helper who claims or answers counts as available from then on, wherever their
    // socket is (the queue is not in this room's presence): ask again rather than go on
    // saying nobody is online next to "Mia is looking at your question".
    if (HELPER_ACTED.has(event.kind)) this.presenceChanged();
    return false; // nothing new to scroll to: the message it is about is already there
  }

  onFrame(frame) {
    if (!frame) return;
    switch (frame.type) {
      case "event":
        // A message that comes live has its question.opened right behind it in the log:
        // no need to ask the question-states API about it.
        if (frame.kind === "message.created" && frame.message?.id) this.live.add(frame.message.id);
        break;
      case "question": // the answer to a question.* frame of this page
        if (frame.question?.id) this.store(frame.question);
        break;
      case "presence":
        this.presenceChanged();
        break;
      case "resync":
        // Events were lost: what we know may be stale. History reloads, and every
        // message rendered again is asked about again.
        this.questions.clear();
        this.byMessage.clear();
        this.checked.clear();
        this.live.clear();
        this.loadMine();
        break;
      default:
        break;
    }
  }

  /** Keep the newer copy of a question and show it; false when the copy held is newer. */
  store(question) {
    const held = this.questions.get(question.id);
    if (!isNewer(question, held)) return false;
    this.questions.set(question.id, question);
    this.byMessage.set(question.message_id, question.id);
    this.checked.add(question.message_id);
    this.rerender(question.message_id);
    if (isAsker(question, this.me)) this.renderAsker();
    return true;
  }

  questionOf(messageId) {
    const id = this.byMessage.get(messageId);
    return id === undefined ? null : this.questions.get(id);
  }

  /** Render a message again (its part changed), keeping a reader at the bottom there,
   * and keyboard focus in the part when the button that had it is gone (I'm on it became
   * Release, by this page's click or by the event that came first). */
  rerender(messageId) {
    const room = this.room;
    if (!room?.timeline.messages.has(messageId)) return;
    const stick = room.ui?.nearBottom() ?? false;
    const hadFocus = this.focusedIn(messageId);
    room.timeline.rerender(messageId);
    if (hadFocus && !this.focusedIn(messageId)) this.focusPart(messageId);
    if (stick) room.ui.scrollToBottom();
  }

  /** The part under a message's body (extensions.js): the question's chip and buttons
   * on its first message. A message not known yet is asked about (history). */
  renderPart(message) {
    const question = this.questionOf(message.id);
    if (!question) {
      this.discover(message);
      return null;
    }
    const chip = chipFor(question, this.me);
    if (!chip) return null;
    const busy = this.busy.has(question.id);
    const part = el(
      "div",
      // Focusable from script only: where focus goes when its last button is gone.
      { class: "msg-question", role: "group", "aria-label": gettext("Question"), tabindex: "-1" },
      el(
        "span",
        { class: "question-chip", "data-state": chip.state },
        chip.parts ? isolated(chip.parts) : chip.text,
      ),
    );
    for (const button of actionsFor(question, this.me)) {
      part.append(
        el(
          "button",
          {
            type: "button",
            class: "button-quiet question-action",
            "data-action": button.action,
            // The timeline puts focus back on the control with the same key after a
            // re-render (an edit or a reaction arriving while it has focus).
            "data-focus": `question-${button.action}`,
            "aria-label": button.label,
            // aria-disabled, not disabled: a disabled button drops the focus.
            "aria-disabled": busy ? "true" : null,
            onclick: () => this.act(question.id, button.action),
          },
          button.text,
        ),
      );
    }
    return part;
  }

  /** Ask the question-states API about messages loaded as history, a page at a time.
   * Helpers never ask questions, and live messages bring their own events. */
  discover(message) {
    const id = message.id;
    if (this.checked.has(id) || this.live.has(id)) return;
    this.checked.add(id);
    if (isHelper(message.author)) return;
    this.pendingIds.add(id);
    clearTimeout(this.statesTimer);
    this.statesTimer = setTimeout(() => this.fetchStates(), STATES_SETTLE_MS);
  }

  async fetchStates() {
    const ids = [...this.pendingIds].filter((id) => !this.byMessage.has(id));
    this.pendingIds.clear();
    for (let start = 0; start < ids.length; start += STATES_BATCH) {
      const batch = ids.slice(start, start + STATES_BATCH);
      try {
        const data = await fetchJSON(`${this.api}/question-states/?messages=${batch.join(",")}`);
        for (const question of Object.values(data.questions || {})) this.store(question);
      } catch {
        // Ask again in a while (offline, or the server had a moment).
        for (const id of batch) this.pendingIds.add(id);
        clearTimeout(this.statesTimer);
        this.statesTimer = setTimeout(() => this.fetchStates(), STATES_RETRY_MS);
        return;
      }
    }
  }

  /** A button: POST /api/questions/<id>/<action>/. The answer is the question after the
   * change (its event follows and changes nothing more); a refusal (someone else was
   * quicker) is said under the message. */
  async act(questionId, action) {
    const question = this.questions.get(questionId);
    if (!question || this.busy.has(questionId)) return;
    const messageId = question.message_id;
    this.busy.add(questionId);
    this.rerender(messageId);
    try {
      const updated = await fetchJSON(`/api/questions/${questionId}/${action}/`, {
        method: "POST",
      });
      this.busy.delete(questionId);
      // An event newer than this answer may have been applied meanwhile: then only the
      // button's busy state goes.
      if (!this.store(updated)) this.rerender(messageId);
    } catch (error) {
      this.busy.delete(questionId);
      this.rerender(messageId);
      this.room?.timeline.showError(messageId, error.message);
    }
  }

  focusedIn(messageId) {
    const node = this.room?.timeline.elements.get(messageId);
    return Boolean(node?.querySelector(".msg-question")?.contains(document.activeElement));
  }

  /** Focus the part's first button, or the part itself when it has none left. */
  focusPart(messageId) {
    const part = this.room?.timeline.elements.get(messageId)?.querySelector(".msg-question");
    (part?.querySelector(".question-action") ?? part)?.focus();
  }

  // -- helpers: counted as available while they use the page ---------------------------------

  bindActivity() {
    const ping = () => {
      const now = Date.now();
      if (now - this.lastActive < ACTIVE_EVERY_MS) return;
      if (this.room?.send({ type: "active" })) this.lastActive = now;
    };
    for (const type of ["keydown", "pointerdown"]) {
      document.addEventListener(type, ping, { capture: true, passive: true });
    }
  }
}

function pageElements() {
  const byId = (id) => document.getElementById(id);
  return {
    banner: byId("helpdesk-banner"),
    availability: byId("helpdesk-availability"),
    people: byId("helpdesk-people"),
    mentor: byId("helpdesk-mentor"),
    asker: byId("helpdesk-asker"),
    askerStatus: byId("helpdesk-asker-status"),
    helpPages: byId("helpdesk-help-pages"),
  };
}

function boot() {
  const config = JSON.parse(document.getElementById("chat-config").textContent);
  const dom = pageElements();
  if (!config.help || !dom.banner) return;
  const desk = new HelpDeskRoom(config, dom);
  registerEventKinds(QUESTION_KINDS, (event) => desk.onEvent(event));
  registerMessagePart((message) => desk.renderPart(message));
  onRoom((room) => desk.start(room));
  // Help while waiting (suggestions.js): for askers, whose page has the panel.
  if (!desk.helper) startSuggestions();
}

boot();
