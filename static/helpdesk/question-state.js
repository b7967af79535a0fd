// A question as the people in its room see it (docs/api.md, "Questions"): the state chip
// on its first message, the buttons next to it, and what the asker is told while they
// wait (the escalation steps). Pure: the question object comes from the API or from a
// `question.*` event, the viewer is the page's user ({id, username, roles}).

import { gettext, interpolate, interpolateParts, isolate } from "../livechat/i18n.js";

export const QUESTION_KINDS = [
  "question.opened",
  "question.claimed",
  "question.unclaimed",
  "question.answered",
  "question.resolved",
  "question.reopened",
  "question.stale",
  "question.escalated",
];

export const OPEN_STATES = ["waiting", "claimed", "answered"];

const HELPER_ROLES = ["mentor", "moderator"];

/** Mentors and moderators: the people who answer. */
export function isHelper(user) {
  return (user?.roles || []).some((role) => HELPER_ROLES.includes(role));
}

export function isOpen(question) {
  return OPEN_STATES.includes(question?.state);
}

export function isAsker(question, viewer) {
  return Boolean(viewer) && question?.asker?.id === viewer.id;
}

/** Whether `incoming` may replace `held` (two copies of one question). Events arrive in
 * order, but an HTTP answer (a button's POST, a page of states) may be older than an event
 * already applied: the newer `updated_at` wins, and a tie goes to the incoming copy. */
export function isNewer(incoming, held) {
  if (!held) return true;
  const a = Date.parse(incoming?.updated_at ?? "");
  const b = Date.parse(held.updated_at ?? "");
  if (Number.isNaN(a) || Number.isNaN(b)) return true;
  return a >= b;
}

/** The chip: {state, text}. "claimed" names the helper: to the asker "Mia is looking at
 * your question", to the helper themselves "You are on it", to everyone else "Mia is on
 * it"; a chip that names someone also has `parts`, the sentence with the name marked for
 * a <bdi> (i18n.js's isolate, dom.js's isolated). */
export function chipFor(question, viewer) {
  const state = question?.state;
  const asker = isAsker(question, viewer);
  switch (state) {
    case "waiting":
      return { state, text: gettext("Waiting for a helper") };
    case "claimed": {
      const name = question.claimed_by?.username;
      if (!name) return { state, text: gettext("A helper is on it") };
      if (viewer && question.claimed_by.id === viewer.id) {
        return { state, text: gettext("You are on it") };
      }
      const format = asker
        ? gettext("%(name)s is looking at your question")
        : gettext("%(name)s is on it");
      return {
        state,
        text: interpolate(format, { name }, true),
        parts: interpolateParts(format, { name: isolate(name) }),
      };
    }
    case "answered":
      return { state, text: gettext("Answered") };
    case "resolved":
      return { state, text: gettext("Resolved") };
    case "stale":
      return {
        state,
        text: asker ? gettext("Closed for now") : gettext("Closed: the asker went quiet"),
      };
    default:
      return null;
  }
}

/**
 * The buttons under a question's first message, in order: [{action, text, label}].
 * `action` is the API's verb (POST /api/questions/<id>/<action>/); `label`, when set, is
 * the accessible name that says whose question it is.
 *  - the asker: "This answered my question" while it is open, "Reopen" once resolved or
 *    stale;
 *  - helpers: "I'm on it" while nobody is, "Release" for their own claim, "Mark answered"
 *    while it is open.
 */
export function actionsFor(question, viewer) {
  if (!question || !viewer) return [];
  if (isAsker(question, viewer)) {
    if (isOpen(question)) {
      return [{ action: "resolve", text: gettext("This answered my question"), label: null }];
    }
    return [{ action: "reopen", text: gettext("Reopen"), label: null }];
  }
  if (!isHelper(viewer) || !isOpen(question)) return [];
  const name = question.asker?.username || "";
  const buttons = [];
  if (question.state === "claimed" && question.claimed_by?.id === viewer.id) {
    buttons.push({
      action: "unclaim",
      // Translators: a helper gives back a question they took, so that another helper can answer it.
      text: gettext("Release"),
      label: interpolate(gettext("Release %(name)s's question"), { name }, true),
    });
  } else if (question.state !== "claimed") {
    buttons.push({
      action: "claim",
      text: gettext("I'm on it"),
      label: interpolate(gettext("I'm on %(name)s's question"), { name }, true),
    });
  }
  buttons.push({
    action: "resolve",
    text: gettext("Mark answered"),
    label: interpolate(gettext("Mark %(name)s's question answered"), { name }, true),
  });
  return buttons;
}

/** What the asker is told about their own open question while no helper has it: the
 * escalation step in plain words, {step, text, helpPages} (helpPages: show the links to
 * the wiki's help pages), or null when there is nothing to add to the chip. */
export function escalationFor(question, viewer) {
  if (!isAsker(question, viewer) || question.state !== "waiting") return null;
  switch (question.step) {
    case 1:
      return {
        step: 1,
        text: gettext("Still looking for someone — we have asked every helper who is online."),
        helpPages: false,
      };
    case 2:
      return {
        step: 2,
        text: gettext("Still looking for someone — meanwhile, these help pages may help."),
        helpPages: true,
      };
    case 3:
      return {
        step: 3,
        text: gettext(
          "Nobody could answer here yet; your question will be passed to the wiki's help " +
            "desk, and we will tell you when someone answers.",
        ),
        helpPages: true,
      };
    default:
      return null;
  }
}

/** The asker's question the banner speaks about: their newest open one, else null. */
export function currentQuestion(questions, viewer) {
  let newest = null;
  for (const question of questions) {
    if (!isAsker(question, viewer) || !isOpen(question)) continue;
    if (!newest || Date.parse(question.asked_at) > Date.parse(newest.asked_at)) newest = question;
  }
  return newest;
}
