import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";

import {
  availabilityText,
  formatDay,
  mentorText,
  roundWait,
} from "../../static/helpdesk/expectations.js";

// Local times, so the tests hold in any time zone.
const morning = new Date(2026, 2, 10, 9, 0, 0);
const evening = new Date(2026, 2, 10, 21, 0, 0);
const MIN = 60;
const HOUR = 3600;

describe("roundWait", () => {
  it("counts whole minutes, rounded up, up to ten", () => {
    assert.deepEqual(roundWait(0, morning), { unit: "minutes", count: 1 });
    assert.deepEqual(roundWait(20, morning), { unit: "minutes", count: 1 });
    assert.deepEqual(roundWait(3 * MIN + 1, morning), { unit: "minutes", count: 4 });
    assert.deepEqual(roundWait(10 * MIN, morning), { unit: "minutes", count: 10 });
  });

  it("rounds up to five minutes to half an hour, to ten after that", () => {
    assert.deepEqual(roundWait(10 * MIN + 1, morning), { unit: "minutes", count: 15 });
    assert.deepEqual(roundWait(22 * MIN, morning), { unit: "minutes", count: 25 });
    assert.deepEqual(roundWait(30 * MIN, morning), { unit: "minutes", count: 30 });
    assert.deepEqual(roundWait(31 * MIN, morning), { unit: "minutes", count: 40 });
    assert.deepEqual(roundWait(49 * MIN, morning), { unit: "minutes", count: 50 });
  });

  it("says about an hour for the last minutes of the first hour", () => {
    assert.deepEqual(roundWait(51 * MIN, morning), { unit: "hours", count: 1 });
    assert.deepEqual(roundWait(HOUR - 1, morning), { unit: "hours", count: 1 });
  });

  it("counts whole hours, rounded up, from one hour to four", () => {
    assert.deepEqual(roundWait(HOUR, morning), { unit: "hours", count: 1 });
    assert.deepEqual(roundWait(HOUR + 1, morning), { unit: "hours", count: 2 });
    assert.deepEqual(roundWait(3 * HOUR + 5 * MIN, morning), { unit: "hours", count: 4 });
  });

  it("says later today or tomorrow from four hours on, by the reader's midnight", () => {
    assert.deepEqual(roundWait(4 * HOUR, morning), { unit: "today" });
    assert.deepEqual(roundWait(14 * HOUR, morning), { unit: "today" }); // 23:00
    assert.deepEqual(roundWait(15 * HOUR + 1, morning), { unit: "tomorrow" }); // past 00:00
    assert.deepEqual(roundWait(4 * HOUR, evening), { unit: "tomorrow" }); // 01:00
    assert.deepEqual(roundWait(26 * HOUR, evening), { unit: "tomorrow" }); // 23:00 next day
    assert.deepEqual(roundWait(28 * HOUR, evening), { unit: "days" }); // the day after
  });

  it("treats a missing or broken wait as no wait", () => {
    assert.deepEqual(roundWait(null, morning), { unit: "minutes", count: 1 });
    assert.deepEqual(roundWait(-5, morning), { unit: "minutes", count: 1 });
  });
});

describe("availabilityText", () => {
  const online = (extra) => ({
    helpers_online: 3,
    people_online: 12,
    typical_wait_seconds: 4 * MIN - 10,
    basis: "online",
    samples: 9,
    ...extra,
  });
  const offline = (extra) => ({
    helpers_online: 0,
    people_online: 1,
    typical_wait_seconds: 5 * HOUR + 20 * MIN,
    basis: "offline",
    samples: 6,
    ...extra,
  });

  it("counts helpers and gives the median wait while helpers are online", () => {
    const text = availabilityText(online(), morning);
    assert.equal(text.online, true);
    assert.equal(text.helpers, "3 helpers online");
    assert.equal(text.wait, "usually answered in about 4 min");
    assert.equal(text.text, "3 helpers online · usually answered in about 4 min");
    assert.equal(text.people, "12 people have the help desk open");
  });

  it("uses the singular for one helper and one person", () => {
    const text = availabilityText(online({ helpers_online: 1, people_online: 1 }), morning);
    assert.equal(text.helpers, "1 helper online");
    assert.equal(text.people, "1 person has the help desk open");
  });

  it("says a few minutes when the median rests on too few questions", () => {
    const text = availabilityText(online({ typical_wait_seconds: null, samples: 3 }), morning);
    assert.equal(text.wait, "usually answered in a few minutes");
  });

  it("words an online wait of hours in hours", () => {
    const text = availabilityText(online({ typical_wait_seconds: 90 * MIN }), morning);
    assert.equal(text.wait, "usually answered in about 2 hours");
  });

  it("tells the asker they may leave while nobody is available", () => {
    const short = availabilityText(offline({ typical_wait_seconds: 2 * HOUR + 1 }), morning);
    assert.equal(short.online, false);
    assert.equal(short.helpers, "No helpers online right now.");
    assert.equal(
      short.text,
      "No helpers online right now. Questions asked now are usually answered in about 3 hours" +
        " — you can leave, we'll let you know.",
    );
    const minutes = availabilityText(offline({ typical_wait_seconds: 25 * MIN }), morning);
    assert.match(minutes.wait, /in about 25 minutes — you can leave/);
  });

  it("says later today or tomorrow for four hours or more", () => {
    assert.equal(
      availabilityText(offline(), morning).wait,
      "Questions asked now are usually answered later today — you can leave, we'll let you know.",
    );
    assert.equal(
      availabilityText(offline(), evening).wait,
      "Questions asked now are usually answered tomorrow — you can leave, we'll let you know.",
    );
  });

  it("promises a day when there is no data at all", () => {
    const text = availabilityText(
      { helpers_online: 0, people_online: 0, typical_wait_seconds: null, basis: "none" },
      morning,
    );
    assert.equal(
      text.wait,
      "Questions asked now are usually answered within a day — you can leave, we'll let you know.",
    );
    assert.equal(text.people, "");
  });
});

describe("availabilityText with a catalog", () => {
  afterEach(() => {
    delete globalThis.gettext;
    delete globalThis.ngettext;
    delete globalThis.interpolate;
  });

  it("asks ngettext with the count, so each language picks its plural form", () => {
    const asked = [];
    globalThis.ngettext = (singular, plural, count) => {
      asked.push([singular, count]);
      return count === 1 ? singular : plural;
    };
    availabilityText(
      { helpers_online: 2, people_online: 5, typical_wait_seconds: 7 * MIN, basis: "online" },
      morning,
    );
    assert.deepEqual(asked, [
      ["%(count)s helper online", 2],
      ["usually answered in about %(count)s min", 7],
      ["%(count)s person has the help desk open", 5],
    ]);
  });
});

describe("mentorText", () => {
  const now = new Date(2026, 11, 20, 12, 0);
  const mia = { id: 3, username: "Mia", roles: ["mentor"] };
  const sam = { id: 4, username: "Sam", roles: ["mentor"] };

  it("names the mentor", () => {
    const text = mentorText({ mentor: mia, away_until: null, backup: null }, "en", now);
    assert.equal(text, "Your mentor is Mia.");
  });

  it("says until when the mentor is away and who helps meanwhile", () => {
    const text = mentorText({ mentor: mia, away_until: "2027-01-03", backup: sam }, "en-GB", now);
    assert.equal(
      text,
      "Your mentor Mia is away until 3 January 2027; Sam will help you meanwhile.",
    );
  });

  it("falls back to any helper online without a backup", () => {
    const text = mentorText({ mentor: mia, away_until: "2026-12-24", backup: null }, "en-GB", now);
    assert.equal(
      text,
      "Your mentor Mia is away until 24 December; any helper online will help you meanwhile.",
    );
  });

  it("says nothing without a mentor", () => {
    assert.equal(mentorText({ mentor: null, away_until: null, backup: null }, "en", now), "");
    assert.equal(mentorText(null, "en", now), "");
  });
});

describe("formatDay", () => {
  const now = new Date(2026, 11, 20, 12, 0);

  it("formats the calendar day in the reader's language, not shifted by UTC", () => {
    assert.equal(formatDay("2026-12-24", "en-GB", now), "24 December");
    assert.equal(formatDay("2026-12-24", "de", now), "24. Dezember");
    assert.equal(formatDay("2027-01-03", "en-US", now), "January 3, 2027");
  });

  it("is empty for anything that is not a date", () => {
    assert.equal(formatDay(null, "en", now), "");
    assert.equal(formatDay("soon", "en", now), "");
  });
});
