// A message's revision history: a dialog listing `GET /api/messages/<id>/revisions/`,
// each revision after the first shown as a word diff against the one before (computed
// here, with a small LCS over word tokens). All text goes in with textContent.

import { el, fetchJSON } from "./dom.js";
import { relativeTime } from "./format.js";
import { gettext, interpolate, interpolateParts } from "./i18n.js";

// Past this many cells the LCS table would be slow: show "replaced" instead.
const MAX_CELLS = 250_000;

/** Split into words and the whitespace between them (whitespace kept, so that joining
 * the tokens gives the text back). */
function tokens(text) {
  return text.split(/(\s+)/).filter((token) => token !== "");
}

/** [{op: "same" | "ins" | "del", text}], adjacent runs of one op merged. */
export function wordDiff(before, after) {
  const a = tokens(before);
  const b = tokens(after);
  const parts = [];
  const push = (op, text) => {
    const last = parts[parts.length - 1];
    if (last && last.op === op) last.text += text;
    else parts.push({ op, text });
  };
  if (a.length * b.length > MAX_CELLS) {
    if (before) push("del", before);
    if (after) push("ins", after);
    return parts;
  }
  // lengths[i][j]: the LCS of a[i:] and b[j:].
  const lengths = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      lengths[i][j] =
        a[i] === b[j] ? lengths[i + 1][j + 1] + 1 : Math.max(lengths[i + 1][j], lengths[i][j + 1]);
    }
  }
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      push("same", a[i]);
      i += 1;
      j += 1;
    } else if (lengths[i + 1][j] >= lengths[i][j + 1]) {
      push("del", a[i]);
      i += 1;
    } else {
      push("ins", b[j]);
      j += 1;
    }
  }
  while (i < a.length) push("del", a[i++]);
  while (j < b.length) push("ins", b[j++]);
  return parts;
}

function renderDiff(before, after) {
  const box = el("div", { class: "revision-body revision-diff", dir: "auto" });
  for (const part of wordDiff(before, after)) {
    if (part.op === "same") box.append(part.text);
    else box.append(el(part.op, {}, part.text));
  }
  return box;
}

/** Open the history of `message` in a modal dialog; focus returns to `opener`. */
export async function openRevisions(message, opener = null) {
  const heading = el("h2", { id: `revisions-${message.id}-title` }, gettext("Edit history"));
  const list = el("ol", { class: "revision-list", "aria-busy": "true" });
  const status = el("p", { class: "muted", role: "status" }, gettext("Loading…"));
  const close = el(
    "button",
    { type: "button", class: "button-quiet revision-close" },
    gettext("Close"),
  );
  const dialog = el(
    "dialog",
    { class: "revisions-dialog", "aria-labelledby": heading.id },
    el("div", { class: "revision-head" }, heading, close),
    el(
      "p",
      { class: "muted" },
      interpolateParts(gettext("%(name)s's message"), {
        name: el("bdi", {}, message.author.username),
      }),
    ),
    status,
    list,
  );
  close.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    dialog.remove();
    const target = opener?.isConnected
      ? opener
      : document.querySelector(`#m-${message.id} .msg-edited`);
    target?.focus();
  });
  // A click on the backdrop (outside the dialog's box) closes it.
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close();
  });
  document.body.append(dialog);
  dialog.showModal();

  let revisions;
  try {
    revisions = (await fetchJSON(`/api/messages/${message.id}/revisions/`)).revisions || [];
  } catch (error) {
    status.textContent = error.message || gettext("Could not load the history.");
    return dialog;
  }
  status.textContent = revisions.length ? "" : gettext("No earlier versions to show.");
  status.hidden = revisions.length > 0;
  revisions.forEach((revision, index) => {
    const meta = el(
      "p",
      { class: "revision-meta" },
      el(
        "strong",
        {},
        interpolate(gettext("Revision %(number)s"), { number: revision.number }, true),
      ),
      " · ",
      el("bdi", {}, revision.editor?.username || ""),
      " · ",
      el(
        "time",
        { datetime: revision.created_at, title: revision.created_at },
        relativeTime(revision.created_at),
      ),
    );
    const body =
      index === 0
        ? el("div", { class: "revision-body", dir: "auto" }, revision.body)
        : renderDiff(revisions[index - 1].body, revision.body);
    list.append(el("li", { class: "revision" }, meta, body));
  });
  list.setAttribute("aria-busy", "false");
  return dialog;
}
