// Help while waiting, on the page (docs/helpdesk.md "Help while waiting"): while an asker
// types in a help room, help pages from the wiki and questions answered here before, in
// the panel above the message box (templates/helpdesk/room_suggestions.html), with "Did
// this answer it? Yes / No, I'll ask a person".
//
// The rules (when to ask, which answers to drop) are suggest-model.js's; this module only
// listens to the box and draws the panel. It never holds up sending: the box and its Send
// button stay the page's, and "No, I'll ask a person" simply submits the form as Send
// would. room-helpdesk.js starts it for askers (not helpers), in the room and the widget;
// fetchJSON carries the widget's token.

import { el, fetchJSON } from "../livechat/dom.js";
import { gettext } from "../livechat/i18n.js";
import { SuggestionPlanner } from "./suggest-model.js";

function pageElements() {
  const byId = (id) => document.getElementById(id);
  const panel = byId("helpdesk-suggestions");
  if (!panel) return null;
  return {
    panel,
    pages: byId("helpdesk-suggestions-pages"),
    answered: byId("helpdesk-suggestions-answered"),
    yes: byId("helpdesk-suggestions-yes"),
    no: byId("helpdesk-suggestions-no"),
    announce: byId("helpdesk-suggestions-announce"),
    thanks: byId("helpdesk-suggestions-thanks"),
    form: byId("composer"),
    input: byId("composer-input"),
  };
}

function link(url, text) {
  // A new tab: the asker's draft and place in the room stay where they are.
  // dir="auto": a page title or a question in another script keeps its own direction.
  return el("a", { href: url, target: "_blank", rel: "noopener", dir: "auto" }, text);
}

function fill(group, items) {
  const list = group.querySelector("ul");
  list.replaceChildren(...items);
  group.hidden = items.length === 0;
}

export class Suggestions {
  constructor(dom) {
    this.dom = dom;
    const { panel } = dom;
    this.planner = new SuggestionPlanner({
      minWords: Number(panel.dataset.minWords) || 3,
      search: (text) => fetchJSON(`${panel.dataset.url}?${new URLSearchParams({ q: text })}`),
      show: (result, { announce }) => this.render(result, announce),
    });
  }

  start() {
    const { input, form, yes, no } = this.dom;
    input.addEventListener("input", () => {
      if (input.value.trim()) this.say("");
      this.planner.input(input.value);
    });
    // Sending empties the box without an input event (chat.js sets the value): look at
    // the box again once the submit or the Enter key has been handled.
    const afterSend = () => setTimeout(() => this.planner.input(input.value), 0);
    form.addEventListener("submit", afterSend);
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) afterSend();
    });
    yes.addEventListener("click", () => this.helped());
    no.addEventListener("click", () => this.askPerson());
  }

  render(result, announce) {
    const { panel, pages, answered } = this.dom;
    if (!result) {
      panel.hidden = true;
      this.dom.announce.textContent = "";
      return;
    }
    fill(
      pages,
      result.help_pages.map((page) =>
        el(
          "li",
          {},
          link(page.url, page.title),
          page.snippet ? el("span", { class: "helpdesk-suggestion-snippet", dir: "auto" }, page.snippet) : null,
        ),
      ),
    );
    fill(
      answered,
      result.answered.map((question) => el("li", {}, link(question.url, question.excerpt))),
    );
    panel.hidden = false;
    if (announce) this.dom.announce.textContent = announce;
  }

  /** "Yes": the draft goes (nothing to send), a kind word, and the help desk counts it. */
  helped() {
    const { input, panel } = this.dom;
    this.planner.dismiss();
    input.value = "";
    // The counter and the rest of the box follow the text, as after typing.
    input.dispatchEvent(new Event("input", { bubbles: true }));
    this.say(gettext("Glad that helped! If anything else comes up, ask here any time."));
    input.focus();
    fetchJSON(panel.dataset.helpedUrl, { method: "POST" }).catch(() => {
      // Only a count: nothing to tell the asker.
    });
  }

  /** "No, I'll ask a person": the draft is sent, as Send would. */
  askPerson() {
    const { form, input } = this.dom;
    this.planner.dismiss();
    input.focus();
    form.requestSubmit();
  }

  say(text) {
    if (this.dom.thanks.textContent !== text) this.dom.thanks.textContent = text;
  }
}

/** Start the panel if the page has one (help rooms, for askers). */
export function startSuggestions() {
  const dom = pageElements();
  if (!dom?.form || !dom.input) return null;
  const suggestions = new Suggestions(dom);
  suggestions.start();
  return suggestions;
}
