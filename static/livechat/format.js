// Text the chat shows about a message, the same everywhere: how long ago something
// happened and a one-line excerpt. Pure functions (no DOM), so they can be tested alone.

import { gettext, interfaceLocale, interpolate, ngettext } from "./i18n.js";

// Created once: Intl formatters are costly to build and every message has a time. The
// interface language, as the reader prefers it, decides the clock (14:02 or 2:02 PM) and the
// digits; times are in the reader's time zone.
const clockFormat = new Intl.DateTimeFormat(interfaceLocale(), {
  hour: "2-digit",
  minute: "2-digit",
});
const dayFormat = new Intl.DateTimeFormat(interfaceLocale(), {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

const sameDay = (a, b) => a.toDateString() === b.toDateString();

/** The one time formatter: "just now", "3 min ago", "14:02" (today), "yesterday 14:02",
 * "Mar 3, 14:02", in the reader's time zone. `now` is injected so tests control it. A
 * time a little in the future (a clock running behind the server's) is "just now". */
export function relativeTime(iso, now = new Date()) {
  const date = new Date(iso);
  if (!iso || Number.isNaN(date.getTime())) return "";
  const seconds = (now - date) / 1000;
  if (seconds < 60) return gettext("just now");
  if (seconds < 3600) {
    const count = Math.floor(seconds / 60);
    return interpolate(ngettext("%(count)s min ago", "%(count)s min ago", count), { count }, true);
  }
  const time = clockFormat.format(date);
  if (sameDay(date, now)) return time;
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (sameDay(date, yesterday)) return interpolate(gettext("yesterday %(time)s"), { time }, true);
  return dayFormat.format(date);
}

/** One line of `text` for a quote or a reply bar: whitespace folded, cut with "…" so
 * that it is at most `length` characters long. */
export function snippet(text, length = 80) {
  const flat = String(text ?? "").replace(/\s+/g, " ").trim();
  return flat.length > length ? `${flat.slice(0, length - 1)}…` : flat;
}
