// Right to left: names inside sentences come marked for a <bdi> (i18n.js's isolate), so the
// page can isolate them without building HTML. The DOM half (dom.js's isolated, the
// message's dir="auto") is pinned in Chromium by tests/e2e/test_rtl.py.

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { mentorParts, mentorText } from "../../static/helpdesk/expectations.js";
import { chipFor } from "../../static/helpdesk/question-state.js";
import { interpolateParts, isolate } from "../../static/livechat/i18n.js";

const asker = { id: 1, username: "Nina", roles: [] };
const passerby = { id: 4, username: "Otto", roles: [] };
const arabicName = "مريم";

const text = (parts) =>
  parts.map((part) => (typeof part === "object" ? part.isolate : part)).join("");

describe("isolate", () => {
  it("marks a name as a part of a sentence, as text", () => {
    assert.deepEqual(isolate("Mia"), { isolate: "Mia" });
    assert.deepEqual(isolate(42), { isolate: "42" });
    assert.deepEqual(interpolateParts("%(name)s is typing…", { name: isolate(arabicName) }), [
      { isolate: arabicName },
      " is typing…",
    ]);
  });
});

describe("chipFor's parts", () => {
  const claimed = (username) => ({
    id: 10,
    asker: { ...asker },
    state: "claimed",
    claimed_by: { id: 2, username, roles: ["mentor"] },
  });

  it("isolates the helper's name and reads as the chip's text", () => {
    const chip = chipFor(claimed(arabicName), asker);
    assert.deepEqual(chip.parts, [{ isolate: arabicName }, " is looking at your question"]);
    assert.equal(text(chip.parts), chip.text);
    assert.deepEqual(chipFor(claimed("Mia"), passerby).parts, [
      { isolate: "Mia" },
      " is on it",
    ]);
  });

  it("has no parts where nobody is named", () => {
    assert.equal(chipFor({ ...claimed("Mia"), state: "waiting" }, asker).parts, undefined);
  });
});

describe("mentorParts", () => {
  const now = new Date(2026, 11, 20, 12, 0);
  const mia = { id: 3, username: "Mia" };
  const sam = { id: 4, username: arabicName };

  it("isolates the mentor and the backup, and reads as mentorText", () => {
    const status = { mentor: mia, away_until: "2027-01-03", backup: sam };
    const parts = mentorParts(status, "en-GB", now);
    assert.deepEqual(
      parts.filter((part) => typeof part === "object"),
      [{ isolate: "Mia" }, { isolate: arabicName }],
    );
    assert.equal(text(parts), mentorText(status, "en-GB", now));
    const plain = { mentor: mia, away_until: null, backup: null };
    assert.equal(text(mentorParts(plain, "en", now)), "Your mentor is Mia.");
  });

  it("is empty without a mentor", () => {
    assert.deepEqual(mentorParts(null, "en", now), []);
  });
});
