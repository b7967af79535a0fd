// Rendering one message: its header line (author, badges, time, tools), the quote of the
// message it answers, its body, reactions and passing sentences. A message is rendered
// whole each time a newer copy arrives; the open editor and reason form are taken from
// the timeline's state and put back into the new node, so they survive.

import { el, roleBadges, timeElement } from "./dom.js";
import { renderMessageParts } from "./extensions.js";
import { snippet } from "./format.js";
import { gettext, interpolate, interpolateParts } from "./i18n.js";
import { promptTexts } from "./prompts.js";
import { openRevisions } from "./revisions.js";

/**
 * The <li> for `message`. `t` is the timeline: me, moderator, emoji, picker, actions, the
 * maps of messages, thanks and flashes, and the editing and prompts state.
 */
export function renderMessage(message, t) {
  const mine = message.author.id === t.me.id;
  const mentionsMe = (message.mentions || []).includes(t.me.username);
  const classes = ["msg"];
  if (mine) classes.push("mine");
  if (message.hidden) classes.push("is-hidden");
  if (message.erased) classes.push("is-hidden", "is-erased");
  if (mentionsMe) classes.push("mentions-me");

  const node = el("li", {
    class: classes.join(" "),
    id: `m-${message.id}`,
    "data-id": message.id,
    "data-author": message.author.id,
    "data-minute": (message.created_at || "").slice(0, 16),
  });
  const edit = t.editing.get(message.id);
  node.append(renderMeta(message, t, { mine, editing: Boolean(edit) }));
  if (message.reply_to) node.append(renderReplyContext(message.reply_to, t));
  if (edit) {
    // After a conflict the newer text is shown above the user's draft.
    if (edit.showCurrent) node.append(renderCurrentVersion(message));
    node.append(edit.form);
  } else {
    node.append(renderBody(message));
  }
  // Other apps' parts under the body (the help desk's question chip): extensions.js.
  node.append(...renderMessageParts(message, t));
  const prompt = t.prompts.get(message.id);
  if (prompt) node.append(prompt.form);
  if (!message.hidden && !message.erased && message.reactions?.length) node.append(renderReactions(message, t));
  const flash = t.flashes.get(message.id);
  node.append(
    el("p", { class: "msg-error", role: "alert" }, flash?.kind === "error" ? flash.text : ""),
    el("p", { class: "msg-notice", role: "status" }, flash?.kind === "notice" ? flash.text : ""),
  );
  return node;
}

function renderMeta(message, t, { mine, editing }) {
  const meta = el("div", { class: "msg-meta" });
  // <bdi>: a name keeps its own direction (an Arabic name in an English line, a Latin one
  // in an Arabic line) without turning the times and badges around it.
  const author = el("bdi", { class: "msg-author name-colour" }, message.author.username);
  // Through CSSOM, not a style attribute: a strict style-src CSP would drop the latter.
  author.style.setProperty("--name-hue", String(nameHue(message.author.username)));
  meta.append(author, ...roleBadges(message.author.roles), timeElement(message.created_at));
  // An erased message has no versions left to show (docs/privacy.md).
  if (message.edited_at && !message.erased) meta.append(renderEdited(message));
  if (message.hidden) {
    meta.append(el("span", { class: "badge badge-hidden" }, gettext("Hidden")));
  }
  const tools = renderTools(message, t, { mine, editing });
  if (tools.childElementCount) meta.append(tools);
  return meta;
}

function renderEdited(message) {
  return el(
    "button",
    {
      type: "button",
      class: "msg-edited link-button",
      title: interpolate(
        gettext("Edited %(time)s; show the edit history"),
        { time: message.edited_at },
        true,
      ),
      "aria-label": gettext("Edited: show the edit history"),
      "aria-haspopup": "dialog",
      "data-focus": "edited",
      onclick: (event) => openRevisions(message, event.currentTarget),
    },
    gettext("(edited)"),
  );
}

/** The message's tools sit at the end of the header line: shown on hover or focus where
 * there is a mouse, always on touch screens (see chat.css). */
function renderTools(message, t, { mine, editing }) {
  const tools = el("span", { class: "msg-tools" });
  const name = message.author.username;
  // Nothing to do with the text of a message erased at its author's request.
  if (message.erased) return tools;
  if (!message.hidden) {
    tools.append(renderPicker(message, t));
    tools.append(
      toolButton(
        "reply",
        gettext("Reply"),
        interpolate(gettext("Reply to %(name)s"), { name }, true),
        () => t.actions.reply?.(message.id),
      ),
    );
    if (!mine) tools.append(renderThank(message, t));
    if (mine && !editing) {
      tools.append(
        toolButton("edit", gettext("Edit"), gettext("Edit your message"), () =>
          t.editing.start(message.id),
        ),
      );
    }
    if (!mine) tools.append(renderPromptButton(message, "report", t));
  }
  if (t.moderator) {
    tools.append(renderPromptButton(message, message.hidden ? "unhide" : "hide", t));
  }
  return tools;
}

function toolButton(key, label, ariaLabel, onclick) {
  return el(
    "button",
    {
      type: "button",
      class: `button-quiet msg-${key}`,
      "data-focus": key,
      "aria-label": ariaLabel,
      onclick,
    },
    label,
  );
}

/** The button that opens the reason form for `kind` (hide, unhide, report). */
function renderPromptButton(message, kind, t) {
  const open = t.prompts.get(message.id)?.kind === kind;
  const texts = promptTexts(kind);
  return el(
    "button",
    {
      type: "button",
      class: `button-quiet msg-${kind}`,
      "data-focus": kind,
      "aria-label": texts.button(message.author.username),
      "aria-expanded": open ? "true" : "false",
      "aria-controls": open ? `prompt-${message.id}` : null,
      onclick: () => t.prompts.show(message.id, kind),
    },
    texts.verb,
  );
}

/** "Thank" on someone else's message; "Thanked" (disabled) once the server took it. */
function renderThank(message, t) {
  const state = t.thanks.get(message.id);
  const done = state === "done";
  const name = message.author.username;
  return el(
    "button",
    {
      type: "button",
      class: `button-quiet msg-thank${done ? " is-thanked" : ""}`,
      "data-focus": "thank",
      "aria-label": done
        ? interpolate(gettext("You thanked %(name)s"), { name }, true)
        : interpolate(gettext("Thank %(name)s for this message"), { name }, true),
      "aria-disabled": state ? "true" : "false",
      disabled: done,
      onclick: () => t.thank(message.id),
    },
    // Translators: the button that thanks the author of a message (as the thanks of MediaWiki); Thanked once done.
    done ? gettext("Thanked") : gettext("Thank"),
  );
}

/** The quote line above a reply; it jumps to the message it answers. */
export function renderReplyContext(replyTo, t) {
  const target = t.messages.get(replyTo);
  const quote = el("a", {
    class: "msg-reply-to",
    href: `#m-${replyTo}`,
    "data-reply-to": replyTo,
    onclick: (event) => {
      if (t.jumpTo(replyTo)) event.preventDefault();
    },
  });
  quote.append(el("span", { class: "icon-mirror", "aria-hidden": "true" }, "↪"), " ");
  if (target) {
    const excerpt = target.erased
      ? gettext("(removed message)")
      : target.hidden
        ? gettext("(hidden message)")
        : snippet(target.body);
    quote.append(
      ...interpolateParts(gettext("%(name)s: %(excerpt)s"), {
        name: el("bdi", { class: "msg-reply-author" }, target.author.username),
        excerpt: el("bdi", {}, excerpt),
      }),
    );
  } else {
    quote.append(gettext("In reply to a message"));
  }
  return quote;
}

function renderReactions(message, t) {
  const row = el("div", { class: "msg-reactions" });
  for (const reaction of message.reactions || []) {
    const users = reaction.users || [];
    const mine = users.includes(t.me.username);
    const names = users.join(", ");
    row.append(
      el(
        "button",
        {
          type: "button",
          class: `reaction${mine ? " reacted" : ""}`,
          title: names,
          "aria-pressed": mine ? "true" : "false",
          "aria-label": interpolate(
            gettext("%(emoji)s %(count)s: %(names)s"),
            { emoji: reaction.emoji, count: reaction.count, names },
            true,
          ),
          "data-focus": `react:${reaction.emoji}`,
          "data-emoji": reaction.emoji,
          onclick: () => t.actions.react(message.id, reaction.emoji),
        },
        el("span", { class: "reaction-emoji", "aria-hidden": "true" }, reaction.emoji),
        el("span", { class: "reaction-count", "aria-hidden": "true" }, reaction.count),
      ),
    );
  }
  return row;
}

/** The quick reactions: a <details>, which needs no script to open and close. */
function renderPicker(message, t) {
  const label = gettext("Add a reaction");
  const picker = el(
    "details",
    { class: "react-picker" },
    el("summary", { "aria-label": label, title: label, "data-focus": "picker" }, "☺+"),
  );
  const choices = el("div", { class: "react-choices" });
  for (const emoji of t.emoji) {
    choices.append(
      el(
        "button",
        {
          type: "button",
          class: "react-choice",
          "aria-label": interpolate(gettext("React with %(emoji)s"), { emoji }, true),
          "data-emoji": emoji,
          onclick: () => {
            picker.open = false;
            t.actions.react(message.id, emoji);
          },
        },
        emoji,
      ),
    );
  }
  if (t.picker) choices.append(renderMoreReactions(message, t, picker, label));
  picker.append(choices);
  return picker;
}

/** "…": the full emoji picker, for a reaction that is not among the quick ones. */
function renderMoreReactions(message, t, picker, label) {
  const more = gettext("More reactions");
  return el(
    "button",
    {
      type: "button",
      class: "react-choice react-more",
      "aria-label": more,
      title: more,
      onclick: () => {
        const anchor = picker.querySelector("summary");
        picker.open = false;
        t.picker.open(anchor, (emoji) => t.actions.react(message.id, emoji), { label });
      },
    },
    "…",
  );
}

function renderBody(message) {
  if (message.erased) {
    return el(
      "p",
      { class: "msg-body msg-placeholder" },
      gettext("Message removed at the author's request."),
    );
  }
  if (message.hidden && !message.html) {
    return el(
      "p",
      { class: "msg-body msg-placeholder" },
      gettext("This message was hidden by a moderator."),
    );
  }
  // dir="auto": the text's first strong letter sets its direction, so an English message
  // reads left to right on an Arabic page and an Arabic one right to left on an English page.
  const body = el("div", { class: "msg-body", dir: "auto" });
  // The one place HTML is parsed: the server renders and sanitises message.html with an
  // allow-list (livechat/formatting.py); nothing typed by a user reaches here unsanitised.
  body.innerHTML = message.html;
  return body;
}

/** The newer text shown above the editor after a conflict. */
function renderCurrentVersion(message) {
  const box = el(
    "div",
    { class: "edit-current" },
    el("p", { class: "muted" }, gettext("Current version:")),
  );
  box.append(renderBody(message));
  return box;
}

/** A hue (0–359) from a name, the same on every page: the name's colour (composer.css
 * turns it into a readable lightness for the light and the dark theme). */
export function nameHue(name) {
  let hash = 0;
  for (const char of name) hash = (Math.imul(hash, 31) + char.codePointAt(0)) | 0;
  return Math.abs(hash) % 360;
}
