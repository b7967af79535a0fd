// The helpers' queue without the DOM (docs/helpdesk.md "The helpers' queue"): which
// questions a filter shows and in what order, merging a changed question into the list,
// waits that tick, the badge's level and sentence, and the polite announcements of new
// questions. Pure functions and one small class with injected timers, tested with node.

import { gettext, interpolate, ngettext } from "../livechat/i18n.js";
// One definition of an open question and of which copy of a question is newer, shared
// with the room page's chips.
import { isNewer, isOpen, OPEN_STATES } from "./question-state.js";

export { isNewer, isOpen, OPEN_STATES };

export const FILTERS = ["waiting", "unresolved", "mine", "all"];
export const DEFAULT_FILTER = "unresolved";

// The badge's colours, as the server's selectors.wait_level: under 5 minutes, 5 to 30,
// over 30.
const WARN_AFTER_SECONDS = 5 * 60;
const LATE_AFTER_SECONDS = 30 * 60;

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export function parseFilter(value) {
  return FILTERS.includes(value) ? value : DEFAULT_FILTER;
}

/** Whether a filter shows the question; the same rules as the queue API's. */
export function belongsTo(question, filter, meId) {
  switch (filter) {
    case "waiting":
      return question.state === "waiting";
    case "mine":
      return isOpen(question) && (question.claimed_by?.id === meId || question.mentor?.id === meId);
    case "all":
      return true;
    default:
      return isOpen(question);
  }
}

/** Routed to this helper first (their mentee, or a mentee they stand in for), for now. */
export function routedToMe(question, meId, serverNowMs) {
  if (question.mentor?.id !== meId || !question.routed_until) return false;
  return Date.parse(question.routed_until) > serverNowMs;
}

function byAsked(a, b) {
  return Date.parse(a.asked_at) - Date.parse(b.asked_at) || a.id - b.id;
}

/** The queue's order: what is routed to me first, then oldest first; "all" newest first. */
export function compareFor(filter) {
  if (filter === "all") return (a, b) => byAsked(b, a);
  const routed = (question) => Number(Boolean(question.routed_to_me));
  return (a, b) => routed(b) - routed(a) || byAsked(a, b);
}

export function sortQueue(questions, filter) {
  return [...questions].sort(compareFor(filter));
}

/**
 * A changed question (a `question.changed` frame, a button's answer) merged into the
 * list: `{list, change}` with change "added", "updated", "removed" or "ignored" (not for
 * this filter, or older than what is shown). The queue's own fields (asker_info,
 * first_message) are kept from the row shown; an added question has none yet, so
 * `needsDetails` asks the page to refetch the queue.
 */
export function mergeQuestion(list, changed, { filter, meId, serverNowMs }) {
  const held = list.find((question) => question.id === changed.id);
  if (held && !isNewer(changed, held)) return { list, change: "ignored", needsDetails: false };
  const merged = { ...held, ...changed, routed_to_me: routedToMe(changed, meId, serverNowMs) };
  if (!belongsTo(merged, filter, meId)) {
    if (!held) return { list, change: "ignored", needsDetails: false };
    return {
      list: list.filter((question) => question.id !== changed.id),
      change: "removed",
      needsDetails: false,
    };
  }
  const next = held
    ? list.map((question) => (question.id === changed.id ? merged : question))
    : [...list, merged];
  return {
    list: sortQueue(next, filter),
    change: held ? "updated" : "added",
    needsDetails: !held,
  };
}

/** Marks each question routed to me or not at `serverNowMs`; `changed` says whether any
 * flag moved (a mentor's head start ran out), which reorders the queue. */
export function refreshRouting(list, meId, serverNowMs) {
  let changed = false;
  const next = list.map((question) => {
    const routed = routedToMe(question, meId, serverNowMs);
    if (routed === Boolean(question.routed_to_me)) return question;
    changed = true;
    return { ...question, routed_to_me: routed };
  });
  return { list: next, changed };
}

// -- waits ----------------------------------------------------------------------------------

/** How far the server's clock is ahead of this one, in ms, from a fetched queue: a
 * question still without a reply was asked `wait_seconds` before the server's now. */
export function estimateOffset(questions, clientNowMs) {
  let best = null;
  for (const question of questions) {
    if (question.first_reply_at || !Number.isFinite(question.wait_seconds)) continue;
    const serverNow = Date.parse(question.asked_at) + question.wait_seconds * 1000;
    if (Number.isNaN(serverNow)) continue;
    // wait_seconds is rounded down: the largest estimate is the closest.
    const offset = serverNow - clientNowMs;
    if (best === null || offset > best) best = offset;
  }
  return best ?? 0;
}

/** Seconds from the question to its first helper reply, or to now while there is none. */
export function waitSeconds(question, serverNowMs) {
  const asked = Date.parse(question.asked_at);
  if (Number.isNaN(asked)) return 0;
  const end = question.first_reply_at ? Date.parse(question.first_reply_at) : serverNowMs;
  return Math.max(0, Math.floor((end - asked) / 1000));
}

/** "ok" under 5 minutes, "warn" from 5 to 30, "late" past 30 (no wait: "ok"). */
export function waitLevel(seconds) {
  if (seconds === null || seconds === undefined || seconds < WARN_AFTER_SECONDS) return "ok";
  return seconds <= LATE_AFTER_SECONDS ? "warn" : "late";
}

/** A wait, short, for the queue's first column: "45 s", "4 min", "2 h 5 min", "3 days". */
export function formatWait(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  if (s < MINUTE) {
    // Translators: how long a question has waited, in seconds, abbreviated for a narrow column.
    return interpolate(ngettext("%(count)s s", "%(count)s s", s), { count: s }, true);
  }
  if (s < HOUR) {
    const count = Math.floor(s / MINUTE);
    // Translators: how long a question has waited, in minutes, abbreviated for a narrow column.
    return interpolate(ngettext("%(count)s min", "%(count)s min", count), { count }, true);
  }
  if (s < DAY) {
    const hours = Math.floor(s / HOUR);
    const minutes = Math.floor((s % HOUR) / MINUTE);
    return interpolate(gettext("%(hours)s h %(minutes)s min"), { hours, minutes }, true);
  }
  const count = Math.floor(s / DAY);
  return interpolate(ngettext("%(count)s day", "%(count)s days", count), { count }, true);
}

/** A duration in words, for sentences read aloud: "40 seconds", "12 minutes". */
export function spokenDuration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  if (s < MINUTE) {
    return interpolate(ngettext("%(count)s second", "%(count)s seconds", s), { count: s }, true);
  }
  if (s < 2 * HOUR) {
    const count = Math.floor(s / MINUTE);
    return interpolate(ngettext("%(count)s minute", "%(count)s minutes", count), { count }, true);
  }
  if (s < 2 * DAY) {
    const count = Math.floor(s / HOUR);
    return interpolate(ngettext("%(count)s hour", "%(count)s hours", count), { count }, true);
  }
  const count = Math.floor(s / DAY);
  return interpolate(ngettext("%(count)s day", "%(count)s days", count), { count }, true);
}

/** Whole minutes left on a claim (rounded up), or null when the question is not claimed
 * or the claim no longer lapses (the claimer replied). */
export function claimMinutesLeft(question, serverNowMs) {
  if (question.state !== "claimed" || !question.claim_expires_at) return null;
  const left = Date.parse(question.claim_expires_at) - serverNowMs;
  return Number.isNaN(left) ? null : Math.max(0, Math.ceil(left / 60_000));
}

// -- the asker and the state ----------------------------------------------------------------

/** "joined today", "joined 3 days ago", "joined 5 months ago", "joined 2 years ago". */
export function accountAge(joinedIso, serverNowMs) {
  const joined = Date.parse(joinedIso ?? "");
  if (Number.isNaN(joined)) return null;
  const days = Math.max(0, Math.floor((serverNowMs - joined) / (DAY * 1000)));
  if (days === 0) return gettext("joined today");
  if (days < 60) {
    return interpolate(
      ngettext("joined %(count)s day ago", "joined %(count)s days ago", days),
      { count: days },
      true,
    );
  }
  if (days < 730) {
    const count = Math.floor(days / 30);
    return interpolate(
      ngettext("joined %(count)s month ago", "joined %(count)s months ago", count),
      { count },
      true,
    );
  }
  const count = Math.floor(days / 365);
  return interpolate(
    ngettext("joined %(count)s year ago", "joined %(count)s years ago", count),
    { count },
    true,
  );
}

/** What the queue says about the asker: account age, messages sent, and the wiki edit
 * count once the wiki integration knows it (null until then: left out). */
export function askerFacts(info, serverNowMs) {
  if (!info) return [];
  const facts = [];
  const age = accountAge(info.joined_at, serverNowMs);
  if (age) facts.push(age);
  if (Number.isFinite(info.messages_sent)) {
    const count = info.messages_sent;
    facts.push(
      interpolate(
        ngettext("%(count)s message sent", "%(count)s messages sent", count),
        { count },
        true,
      ),
    );
  }
  if (Number.isFinite(info.wiki_edit_count)) {
    const count = info.wiki_edit_count;
    facts.push(
      interpolate(ngettext("%(count)s wiki edit", "%(count)s wiki edits", count), { count }, true),
    );
  }
  return facts;
}

/** The state as a sentence; "%(name)s" stands for the claimer (the page puts a <bdi>). */
export function stateSentence(question, meId) {
  switch (question.state) {
    case "waiting":
      return gettext("Waiting for a helper");
    case "claimed":
      if (!question.claimed_by) return gettext("A helper is on it");
      if (question.claimed_by.id === meId) return gettext("You are on it");
      return gettext("%(name)s is on it");
    case "answered":
      return gettext("Answered; waiting for the asker");
    case "resolved":
      return gettext("Resolved");
    case "stale":
      return gettext("Gone quiet after an answer");
    default:
      return question.state;
  }
}

/** The buttons a helper gets on a question: claim while open and nobody holds it,
 * release one's own claim (a moderator: anyone's), mark answered while open. */
export function actionsFor(question, { meId, moderator = false }) {
  const open = isOpen(question);
  const claimed = question.state === "claimed";
  return {
    claim: open && !claimed,
    unclaim: claimed && (question.claimed_by?.id === meId || moderator),
    resolve: open,
  };
}

// -- the badge ------------------------------------------------------------------------------

/** The badge from GET /api/helpdesk/summary/, `elapsedMs` after it was fetched: the
 * oldest wait goes on growing between fetches (and may change colour). */
export function badgeState(summary, elapsedMs = 0) {
  const count = summary?.waiting ?? 0;
  const base = summary?.oldest_wait_seconds;
  const oldest =
    count > 0 && Number.isFinite(base) ? base + Math.max(0, Math.floor(elapsedMs / 1000)) : null;
  return {
    count,
    countText: count > 99 ? "99+" : String(count),
    oldest,
    level: count > 0 ? waitLevel(oldest) : "none",
    wait: oldest === null ? "" : formatWait(oldest),
    text: badgeSentence(count, oldest),
  };
}

/** "3 questions waiting, the oldest for 12 minutes": the badge's text alternative. */
export function badgeSentence(count, oldestSeconds) {
  if (!count) return gettext("No questions waiting");
  if (oldestSeconds === null || oldestSeconds === undefined) {
    return interpolate(
      ngettext("%(count)s question waiting", "%(count)s questions waiting", count),
      { count },
      true,
    );
  }
  return interpolate(
    ngettext(
      "%(count)s question waiting, for %(wait)s",
      "%(count)s questions waiting, the oldest for %(wait)s",
      count,
    ),
    { count, wait: spokenDuration(oldestSeconds) },
    true,
  );
}

// -- announcements --------------------------------------------------------------------------

/** Which frames a helper should hear of: a new question, or one back in the queue (its
 * asker wrote again, or a claim was released or lapsed). */
export function announcementKind(kind, question) {
  if (kind === "question.opened") return "new";
  if (kind === "question.reopened") return "again";
  if (kind === "question.unclaimed" && question.state === "waiting") return "again";
  return null;
}

export function announcementText(items) {
  if (items.length === 1) {
    const [{ kind, name }] = items;
    return kind === "new"
      ? interpolate(gettext("New question from %(name)s"), { name }, true)
      : interpolate(gettext("The question from %(name)s is waiting again"), { name }, true);
  }
  const count = items.length;
  if (items.every((item) => item.kind === "new")) {
    return interpolate(
      ngettext("%(count)s new question", "%(count)s new questions", count),
      { count },
      true,
    );
  }
  return interpolate(
    ngettext("%(count)s question needs a helper", "%(count)s questions need a helper", count),
    { count },
    true,
  );
}

/**
 * Polite announcements, at most one every `intervalMs`: what comes in between is
 * gathered into one sentence ("3 new questions"). `say(text)` is called with it.
 */
export class Announcer {
  constructor({
    say,
    intervalMs = 5000,
    now = () => Date.now(),
    setTimeout = globalThis.setTimeout,
    clearTimeout = globalThis.clearTimeout,
  }) {
    this.say = say;
    this.intervalMs = intervalMs;
    this.now = now;
    this.setTimeout = setTimeout;
    this.clearTimeout = clearTimeout;
    this.pending = [];
    this.lastAt = -Infinity;
    this.timer = null;
  }

  /** `item`: {kind: "new" | "again", name}. */
  add(item) {
    this.pending.push(item);
    if (this.timer !== null) return;
    const wait = this.lastAt + this.intervalMs - this.now();
    if (wait <= 0) {
      this.flush();
      return;
    }
    this.timer = this.setTimeout(() => {
      this.timer = null;
      this.flush();
    }, wait);
  }

  flush() {
    if (this.pending.length === 0) return;
    const text = announcementText(this.pending);
    this.pending = [];
    this.lastAt = this.now();
    this.say(text);
  }

  stop() {
    if (this.timer !== null) this.clearTimeout(this.timer);
    this.timer = null;
    this.pending = [];
  }
}
