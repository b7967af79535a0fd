// What an asker may honestly expect before they ask (docs/api.md, "Availability"): the
// sentence above a help room's message box, built from GET /api/rooms/<slug>/availability/,
// and the line about their mentor from GET /api/helpdesk/me/.
//
// Pure: no DOM. The reader's clock (`now`) and language (`locale`) are injected, so the
// tests decide them; every word comes from the scripts' catalog as a whole sentence.

import { gettext, interpolate, interpolateParts, isolate, ngettext } from "../livechat/i18n.js";

const MINUTE = 60;
const HOUR = 60 * MINUTE;
// From this long on, hours stop being a useful promise: "later today" or "tomorrow".
export const LATER_FROM_SECONDS = 4 * HOUR;

/** A median wait rounded up the way a person says it. Under an hour: minutes, to the
 * minute up to 10, to 5 up to 30, to 10 after that (55 min is "about 1 hour"); one to
 * four hours: whole hours, rounded up; longer: the day it ends on in the reader's local
 * time — {unit: "today"}, {unit: "tomorrow"}, or {unit: "days"} past tomorrow. */
export function roundWait(seconds, now = new Date()) {
  const wait = Math.max(0, Number(seconds) || 0);
  if (wait < HOUR) {
    const minutes = Math.max(1, Math.ceil(wait / MINUTE));
    const step = minutes <= 10 ? 1 : minutes <= 30 ? 5 : 10;
    const rounded = Math.ceil(minutes / step) * step;
    return rounded < 60 ? { unit: "minutes", count: rounded } : { unit: "hours", count: 1 };
  }
  if (wait < LATER_FROM_SECONDS) return { unit: "hours", count: Math.ceil(wait / HOUR) };
  const days = localDaysBetween(now, new Date(now.getTime() + wait * 1000));
  if (days <= 0) return { unit: "today" };
  return days === 1 ? { unit: "tomorrow" } : { unit: "days" };
}

/** How many local midnights lie between two moments (DST days are 23 or 25 hours). */
function localDaysBetween(start, end) {
  const midnight = (date) => new Date(date.getFullYear(), date.getMonth(), date.getDate());
  return Math.round((midnight(end) - midnight(start)) / (24 * HOUR * 1000));
}

const fill = (format, count) => interpolate(format, { count }, true);

/** The wait while helpers are online: "usually answered in about 4 min". Fewer than five
 * answered questions behind the median (`seconds` null): "a few minutes". */
function onlineWait(seconds, now) {
  if (seconds === null || seconds === undefined) {
    return gettext("usually answered in a few minutes");
  }
  const wait = roundWait(seconds, now);
  switch (wait.unit) {
    case "minutes":
      return fill(
        ngettext(
          "usually answered in about %(count)s min",
          "usually answered in about %(count)s min",
          wait.count,
        ),
        wait.count,
      );
    case "hours":
      return fill(
        ngettext(
          "usually answered in about %(count)s hour",
          "usually answered in about %(count)s hours",
          wait.count,
        ),
        wait.count,
      );
    case "today":
      return gettext("usually answered later today");
    case "tomorrow":
      return gettext("usually answered tomorrow");
    default:
      return gettext("usually answered within a few days");
  }
}

/** The wait while nobody is: one whole sentence per form, each ending in the promise
 * that the asker may leave. No data at all (`seconds` null): "within a day". */
function offlineWait(seconds, now) {
  if (seconds === null || seconds === undefined) {
    return gettext(
      "Questions asked now are usually answered within a day — " +
        "you can leave, we'll let you know.",
    );
  }
  const wait = roundWait(seconds, now);
  switch (wait.unit) {
    case "minutes":
      return fill(
        ngettext(
          "Questions asked now are usually answered in about %(count)s minute — " +
            "you can leave, we'll let you know.",
          "Questions asked now are usually answered in about %(count)s minutes — " +
            "you can leave, we'll let you know.",
          wait.count,
        ),
        wait.count,
      );
    case "hours":
      return fill(
        ngettext(
          "Questions asked now are usually answered in about %(count)s hour — " +
            "you can leave, we'll let you know.",
          "Questions asked now are usually answered in about %(count)s hours — " +
            "you can leave, we'll let you know.",
          wait.count,
        ),
        wait.count,
      );
    case "today":
      return gettext(
        "Questions asked now are usually answered later today — " +
          "you can leave, we'll let you know.",
      );
    case "tomorrow":
      return gettext(
        "Questions asked now are usually answered tomorrow — " +
          "you can leave, we'll let you know.",
      );
    default:
      return gettext(
        "Questions asked now are usually answered within a few days — " +
          "you can leave, we'll let you know.",
      );
  }
}

/**
 * The banner's sentences from an availability answer:
 *  - `helpers`: "3 helpers online" or "No helpers online right now."
 *  - `wait`: the typical wait, worded for the basis ("online", "offline", "none")
 *  - `people`: "12 people have the help desk open" (empty when nobody is counted)
 *  - `text`: the first two as one line, the live region's whole sentence
 */
export function availabilityText(data, now = new Date()) {
  const helpers = Number(data?.helpers_online) || 0;
  const peopleCount = Number(data?.people_online) || 0;
  const seconds = data?.typical_wait_seconds ?? null;
  let helpersText;
  let waitText;
  if (helpers > 0) {
    helpersText = fill(
      ngettext("%(count)s helper online", "%(count)s helpers online", helpers),
      helpers,
    );
    waitText = onlineWait(seconds, now);
  } else {
    helpersText = gettext("No helpers online right now.");
    waitText = offlineWait(data?.basis === "none" ? null : seconds, now);
  }
  const people =
    peopleCount > 0
      ? fill(
          ngettext(
            "%(count)s person has the help desk open",
            "%(count)s people have the help desk open",
            peopleCount,
          ),
          peopleCount,
        )
      : "";
  return {
    online: helpers > 0,
    helpers: helpersText,
    wait: waitText,
    people,
    text: helpers > 0 ? `${helpersText} · ${waitText}` : `${helpersText} ${waitText}`,
  };
}

/** "3 January" (with the year when it is not this year's), in the reader's language. A
 * "YYYY-MM-DD" date is a calendar day, so it is read as a local date, not as UTC. */
export function formatDay(isoDate, locale, now = new Date()) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate || "");
  if (!match) return "";
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  const options = { day: "numeric", month: "long" };
  if (date.getFullYear() !== now.getFullYear()) options.year = "numeric";
  return new Intl.DateTimeFormat(locale, options).format(date);
}

/** The line about a newcomer's mentor (GET /api/helpdesk/me/), or "" without one. */
export function mentorText(status, locale, now = new Date()) {
  const sentence = mentorSentence(status, locale, now);
  return sentence ? interpolate(sentence.format, sentence.values, true) : "";
}

/** The same line as sentence pieces with the names marked for a <bdi> (i18n.js's
 * isolate, dom.js's isolated), or [] without a mentor. */
export function mentorParts(status, locale, now = new Date()) {
  const sentence = mentorSentence(status, locale, now);
  if (!sentence) return [];
  const { mentor, date, backup } = sentence.values;
  return interpolateParts(sentence.format, {
    mentor: isolate(mentor),
    date,
    ...(backup ? { backup: isolate(backup) } : {}),
  });
}

function mentorSentence(status, locale, now) {
  const mentor = status?.mentor?.username;
  if (!mentor) return null;
  if (!status.away_until) {
    return { format: gettext("Your mentor is %(mentor)s."), values: { mentor } };
  }
  const date = formatDay(status.away_until, locale, now);
  const backup = status.backup?.username;
  if (backup) {
    return {
      format: gettext(
        "Your mentor %(mentor)s is away until %(date)s; %(backup)s will help you meanwhile.",
      ),
      values: { mentor, date, backup },
    };
  }
  return {
    format: gettext(
      "Your mentor %(mentor)s is away until %(date)s; any helper online will help you meanwhile.",
    ),
    values: { mentor, date },
  };
}
