// A help room's live view and its archive (docs/archives.md): the start of the loaded
// history links to the archive (the history API stops at the live window), and questions
// resolved more than a day ago fold into one line each, which opens on click. Which
// messages fold is folds.js; this module only draws it. The room page loads it in help
// rooms only (livechat never imports the help desk), and it checks again.

import { el, fetchJSON } from "../livechat/dom.js";
import { snippet } from "../livechat/format.js";
import { gettext, interpolateParts, ngettext } from "../livechat/i18n.js";
import { Folds } from "./folds.js";

// Threads fold 24 hours after they were resolved: asking again now and then folds the
// ones whose time came while the page stayed open.
const REFRESH_MS = 10 * 60_000;

class Folding {
  constructor(list, url) {
    this.list = list;
    this.url = url;
    this.folds = new Folds();
  }

  start() {
    // The timeline adds and re-renders messages as <li data-id> children of the list.
    new MutationObserver((records) => {
      for (const record of records) {
        for (const node of record.addedNodes) {
          if (node instanceof HTMLElement && node.dataset.id) this.apply(node);
        }
      }
    }).observe(this.list, { childList: true });
    window.addEventListener("livechat:frame", (event) => this.onFrame(event.detail));
    this.refresh();
    setInterval(() => this.refresh(), REFRESH_MS);
  }

  async refresh() {
    try {
      const data = await fetchJSON(this.url);
      this.applyTo(this.folds.update(data.threads || []));
    } catch {
      // Offline or signed out: the room says so; folding waits for the next round.
    }
  }

  onFrame(frame) {
    if (frame?.type === "event" && frame.kind === "question.reopened" && frame.question) {
      this.applyTo(this.folds.forget(frame.question.id));
    }
  }

  applyTo(ids) {
    for (const id of ids) {
      const node = document.getElementById(`m-${id}`);
      if (node && this.list.contains(node)) this.apply(node);
    }
  }

  apply(node) {
    const id = Number(node.dataset.id);
    const state = this.folds.state(id);
    node.classList.toggle("thread-folded", state === "folded");
    node.classList.toggle("thread-fold-head", state === "head");
    node.querySelector(":scope > .thread-fold-summary")?.remove();
    if (state === "head") node.prepend(this.summary(this.folds.threadOf(id), node));
  }

  summary(thread, node) {
    const count = this.folds.size(thread.question_id);
    const format = ngettext(
      "Resolved question from %(name)s, %(count)s message",
      "Resolved question from %(name)s, %(count)s messages",
      count,
    );
    const name = el("bdi", {}, thread.asker?.username ?? "");
    const text = snippet(node.querySelector(".msg-body")?.textContent ?? "", 80);
    return el(
      "button",
      {
        type: "button",
        class: "thread-fold-summary",
        "aria-expanded": "false",
        title: gettext("Show the whole thread"),
        onclick: () => this.open(thread.question_id, node),
      },
      el("span", { class: "thread-fold-label" }, interpolateParts(format, { name, count })),
      text ? el("span", { class: "thread-fold-snippet" }, text) : null,
    );
  }

  open(questionId, head) {
    this.applyTo(this.folds.open(questionId));
    // The button the reader pressed is gone: keep their place on the thread's first line.
    const node = document.getElementById(head.id) ?? head;
    node.setAttribute("tabindex", "-1");
    node.focus();
  }
}

function linkTheArchive(slug) {
  const start = document.getElementById("history-start");
  if (!start) return;
  start.replaceChildren(
    el(
      "a",
      { href: `/rooms/${encodeURIComponent(slug)}/archive/` },
      gettext("Earlier days are in the archive."),
    ),
  );
}

function addStyles() {
  // The stylesheet's address from the page ({% static %}): in production its name carries
  // a content hash that this script, itself renamed, cannot work out.
  const script = document.querySelector("script[data-styles][src*='folding']");
  const href = new URL(
    script ? script.dataset.styles : "./archive.css",
    script ? location.href : import.meta.url,
  ).href;
  if (!document.querySelector(`link[href="${href}"]`)) {
    document.head.append(el("link", { rel: "stylesheet", href }));
  }
}

function start() {
  const configNode = document.getElementById("chat-config");
  const list = document.getElementById("messages");
  if (!configNode || !list) return;
  const config = JSON.parse(configNode.textContent);
  const slug = config.room?.slug;
  if (!slug || !(config.helpRooms || []).includes(slug)) return;
  addStyles();
  linkTheArchive(slug);
  new Folding(list, `/api/rooms/${encodeURIComponent(slug)}/folded/`).start();
}

start();
