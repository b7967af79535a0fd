import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { relativeTime, snippet } from "../../static/livechat/format.js";

// Local times, so the tests hold in any time zone.
const now = new Date(2026, 2, 10, 15, 30, 0);
const ago = (ms) => new Date(now.getTime() - ms).toISOString();
const clock = (date) =>
  new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" }).format(date);

describe("relativeTime", () => {
  it("says just now for the last minute, and for a clock slightly behind the server", () => {
    assert.equal(relativeTime(ago(0), now), "just now");
    assert.equal(relativeTime(ago(59_000), now), "just now");
    assert.equal(relativeTime(ago(-5_000), now), "just now");
  });

  it("counts minutes within the hour", () => {
    assert.equal(relativeTime(ago(60_000), now), "1 min ago");
    assert.equal(relativeTime(ago(3 * 60_000 + 10_000), now), "3 min ago");
    assert.equal(relativeTime(ago(59 * 60_000), now), "59 min ago");
  });

  it("shows the clock for earlier today, and yesterday's with the word", () => {
    const morning = new Date(2026, 2, 10, 9, 5);
    assert.equal(relativeTime(morning.toISOString(), now), clock(morning));
    const lastNight = new Date(2026, 2, 9, 22, 40);
    assert.equal(relativeTime(lastNight.toISOString(), now), `yesterday ${clock(lastNight)}`);
  });

  it("shows the date for anything older", () => {
    const older = new Date(2026, 1, 3, 14, 2);
    const text = relativeTime(older.toISOString(), now);
    assert.ok(text.includes(clock(older)), text);
    assert.notEqual(text, clock(older));
    assert.ok(!text.startsWith("yesterday"));
  });

  it("is empty for a missing or broken time", () => {
    assert.equal(relativeTime(null, now), "");
    assert.equal(relativeTime("", now), "");
    assert.equal(relativeTime("not a time", now), "");
  });
});

describe("snippet", () => {
  it("folds whitespace onto one line", () => {
    assert.equal(snippet("  Hi\n\n  there\tyou  "), "Hi there you");
  });

  it("cuts long text with an ellipsis, at most `length` characters", () => {
    const text = "word ".repeat(40);
    const cut = snippet(text, 20);
    assert.equal(cut.length, 20);
    assert.ok(cut.endsWith("…"));
    assert.equal(snippet("exactly ten", 11), "exactly ten");
  });

  it("copes with no text", () => {
    assert.equal(snippet(""), "");
    assert.equal(snippet(undefined), "");
  });
});
