// The coverage page's computations, with no DOM: the heat map's grid, how loaded each hour
// of the week is, the colour level that shows it, the words that describe a cell, and the
// widths of the share bars. coverage.js draws what these return. Tested with node --test
// (tests/js/coverage-model.test.mjs).
//
// A cell of the server's heat map (helpdesk.coverage): {weekday (Monday 0), hour (UTC),
// hours (how often that hour occurs in the period), questions, unattended (asked while no
// helper was available), sampled_hours, helper_hours (the sum of the sampled hours'
// average helpers available), helpers_max}.

import { gettext, interpolate, ngettext, pgettext } from "../livechat/i18n.js";

export const DAYS = 7;
export const HOURS = 24;

/** Upper bounds of the load levels 1–4 (questions per hour per available helper); above
 * the last is level 5. Level 0: no questions at all. */
export const LEVEL_BOUNDS = [0.25, 0.5, 1, 2];

/** The 7 × 24 grid (rows Monday…Sunday, columns 0…23 h), every cell present even if the
 * server left it out. */
export function grid(cells) {
  const rows = Array.from({ length: DAYS }, (_, weekday) =>
    Array.from({ length: HOURS }, (_, hour) => emptyCell(weekday, hour)),
  );
  for (const cell of cells || []) {
    if (cell.weekday >= 0 && cell.weekday < DAYS && cell.hour >= 0 && cell.hour < HOURS) {
      rows[cell.weekday][cell.hour] = { ...emptyCell(cell.weekday, cell.hour), ...cell };
    }
  }
  return rows;
}

function emptyCell(weekday, hour) {
  return {
    weekday,
    hour,
    hours: 0,
    questions: 0,
    unattended: 0,
    sampled_hours: 0,
    helper_hours: 0,
    helpers_max: 0,
  };
}

/** How loaded an hour of the week was.
 *  - `quiet`: no questions;
 *  - `unknown`: questions, but helpers were never sampled at that hour (the sampler was
 *    not running yet);
 *  - `uncovered`: questions, and no helper was available whenever it was sampled: where
 *    the community is missing people;
 *  - `load`: `ratio` questions per hour for each helper available on average. */
export function load(cell) {
  if (!cell.questions) return { kind: "quiet", ratio: 0 };
  if (!cell.sampled_hours) return { kind: "unknown", ratio: null };
  const helpers = averageHelpers(cell);
  if (helpers <= 0) return { kind: "uncovered", ratio: Infinity };
  const perHour = cell.questions / Math.max(1, cell.hours);
  return { kind: "load", ratio: perHour / helpers };
}

/** The average number of helpers available in the sampled hours (null when unsampled). */
export function averageHelpers(cell) {
  return cell.sampled_hours ? cell.helper_hours / cell.sampled_hours : null;
}

/** The colour level of a cell: 0 (quiet) to 5 (most loaded), "uncovered" or "unknown". */
export function level(cell) {
  const { kind, ratio } = load(cell);
  if (kind === "quiet") return 0;
  if (kind !== "load") return kind;
  const index = LEVEL_BOUNDS.findIndex((bound) => ratio <= bound);
  return index === -1 ? LEVEL_BOUNDS.length + 1 : index + 1;
}

/** The hours most in need of helpers, worst first: uncovered ones by questions, then
 * the most loaded; at most `limit`, quiet and unknown hours left out. */
export function neediest(cells, limit = 5) {
  const candidates = cells
    .map((cell) => ({ cell, state: load(cell) }))
    .filter(({ state }) => state.kind === "uncovered" || state.kind === "load");
  candidates.sort(
    (a, b) =>
      b.state.ratio - a.state.ratio ||
      b.cell.questions - a.cell.questions ||
      a.cell.weekday - b.cell.weekday ||
      a.cell.hour - b.cell.hour,
  );
  return candidates.slice(0, limit).map(({ cell }) => cell);
}

/** A share (0…1 or null) as a bar's width in percent, 0…100. */
export function barWidth(share) {
  if (typeof share !== "number" || Number.isNaN(share)) return 0;
  return Math.round(Math.min(1, Math.max(0, share)) * 1000) / 10;
}

// -- words ------------------------------------------------------------------------------------

export function weekdayName(weekday) {
  return [
    gettext("Monday"),
    gettext("Tuesday"),
    gettext("Wednesday"),
    gettext("Thursday"),
    gettext("Friday"),
    gettext("Saturday"),
    gettext("Sunday"),
  ][weekday];
}

export function weekdayShort(weekday) {
  return [
    pgettext("weekday", "Mon"),
    pgettext("weekday", "Tue"),
    pgettext("weekday", "Wed"),
    pgettext("weekday", "Thu"),
    pgettext("weekday", "Fri"),
    pgettext("weekday", "Sat"),
    pgettext("weekday", "Sun"),
  ][weekday];
}

function twoDigits(number) {
  return String(number).padStart(2, "0");
}

/** "14:00–15:00" (the last hour ends at 24:00). */
export function hourRange(hour) {
  return interpolate(
    gettext("%(start)s–%(end)s"),
    { start: `${twoDigits(hour)}:00`, end: `${twoDigits(hour + 1)}:00` },
    true,
  );
}

function decimal(number) {
  return (Math.round(number * 10) / 10).toString();
}

/** One sentence for a cell: its questions and its helpers (what a screen reader reads
 * after the row and column headers, and the cell's tooltip). */
export function describeCell(cell) {
  const questions = interpolate(
    ngettext("%(count)s question", "%(count)s questions", cell.questions),
    { count: cell.questions },
    true,
  );
  const state = load(cell);
  if (state.kind === "unknown") {
    return interpolate(
      gettext("%(questions)s; helpers were not counted at this hour yet."),
      { questions },
      true,
    );
  }
  const helpers = averageHelpers(cell);
  if (helpers === null) {
    return interpolate(gettext("%(questions)s; helpers were not counted."), { questions }, true);
  }
  if (state.kind === "uncovered") {
    return interpolate(gettext("%(questions)s; no helper was available."), { questions }, true);
  }
  return interpolate(
    gettext("%(questions)s; helpers available on average: %(helpers)s (at most %(max)s)."),
    { questions, helpers: decimal(helpers), max: cell.helpers_max },
    true,
  );
}

/** "Monday 14:00–15:00 UTC: 3 questions; …" for the list of the neediest hours. */
export function describeHour(cell) {
  return interpolate(
    gettext("%(day)s %(hours)s UTC: %(details)s"),
    { day: weekdayName(cell.weekday), hours: hourRange(cell.hour), details: describeCell(cell) },
    true,
  );
}

/** The legend: one entry per level, in order, with what it means. */
export function legend() {
  const bound = (value) => String(Math.round(value * 100) / 100);
  return [
    { level: 0, label: gettext("No questions") },
    {
      level: 1,
      label: interpolate(
        gettext("Up to %(ratio)s questions an hour per available helper"),
        { ratio: bound(LEVEL_BOUNDS[0]) },
        true,
      ),
    },
    ...LEVEL_BOUNDS.slice(1).map((upper, index) => ({
      level: index + 2,
      label: interpolate(
        gettext("%(low)s to %(high)s questions an hour per available helper"),
        { low: bound(LEVEL_BOUNDS[index]), high: bound(upper) },
        true,
      ),
    })),
    {
      level: LEVEL_BOUNDS.length + 1,
      label: interpolate(
        gettext("More than %(ratio)s questions an hour per available helper"),
        { ratio: bound(LEVEL_BOUNDS.at(-1)) },
        true,
      ),
    },
    { level: "uncovered", label: gettext("Questions, and no helper available") },
    { level: "unknown", label: gettext("Questions; helpers not counted yet") },
  ];
}
