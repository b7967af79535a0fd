import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  MAX_CHARS,
  SuggestionPlanner,
  announcement,
  countWords,
  searchKey,
} from "../../static/helpdesk/suggest-model.js";
import { FakeTimers } from "./fakes.mjs";

const PAGES = {
  help_pages: [{ title: "Help:Citing sources", url: "u", snippet: "" }],
  answered: [{ question_id: 1, excerpt: "How do I cite?", url: "/q", answered_at: "" }],
};
const NOTHING = { help_pages: [], answered: [] };

/** A planner whose searches wait until the test answers them, in any order. */
function setup({ minWords = 3 } = {}) {
  const timers = new FakeTimers();
  const searches = []; // {text, answer(result), fail()}
  const shown = []; // what the page was told: [result | null, announce]
  const planner = new SuggestionPlanner({
    minWords,
    debounceMs: 500,
    timers,
    search: (text) =>
      new Promise((resolve, reject) => {
        searches.push({ text, answer: resolve, fail: () => reject(new Error("offline")) });
      }),
    show: (result, { announce }) => shown.push([result, announce]),
  });
  return { timers, searches, shown, planner };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("words", () => {
  it("counts words as the server does: letters and digits, any script", () => {
    assert.equal(countWords("How do I cite?"), 4);
    assert.equal(countWords("  — ... "), 0);
    assert.equal(countWords("Как добавить фото"), 3);
    assert.equal(countWords("v2.0 upload_file"), 4);
  });

  it("keys a search by its words only", () => {
    assert.equal(searchKey("How do I  cite?"), searchKey("how do i cite"));
    assert.notEqual(searchKey("how do I cite"), searchKey("how do I cite it"));
  });

  it("announces how many suggestions there are", () => {
    assert.equal(announcement(PAGES), "2 help pages might answer this");
    assert.equal(announcement({ help_pages: [], answered: [{}] }), "1 help page might answer this");
  });
});

describe("SuggestionPlanner", () => {
  it("asks nothing before the draft has enough words", () => {
    const { timers, searches, planner } = setup();
    planner.input("How do");
    timers.advance(2000);
    assert.equal(searches.length, 0);
  });

  it("asks once the asker pauses, with the latest draft", async () => {
    const { timers, searches, shown, planner } = setup();
    planner.input("How do I");
    timers.advance(200);
    planner.input("How do I cite");
    timers.advance(499);
    assert.equal(searches.length, 0);
    timers.advance(1);
    assert.deepEqual(
      searches.map((s) => s.text),
      ["How do I cite"],
    );
    searches[0].answer(PAGES);
    await settle();
    assert.deepEqual(shown, [[PAGES, "2 help pages might answer this"]]);
  });

  it("drops the answer to a draft the asker has moved on from", async () => {
    const { timers, searches, shown, planner } = setup();
    planner.input("How do I cite");
    timers.advance(500);
    planner.input("How do I cite a book");
    timers.advance(500);
    assert.equal(searches.length, 2);
    searches[1].answer(PAGES);
    await settle();
    searches[0].answer({ ...PAGES, help_pages: [] }); // late, for the older draft
    await settle();
    assert.deepEqual(shown, [[PAGES, "2 help pages might answer this"]]);
  });

  it("drops an answer that comes after the draft was sent", async () => {
    const { timers, searches, shown, planner } = setup();
    planner.input("How do I cite");
    timers.advance(500);
    planner.input(""); // sent
    searches[0].answer(PAGES);
    await settle();
    assert.deepEqual(shown, []);
  });

  it("does not ask again when only punctuation or spacing changed", async () => {
    const { timers, searches, planner } = setup();
    planner.input("How do I cite");
    timers.advance(500);
    searches[0].answer(PAGES);
    await settle();
    planner.input("How do I cite?");
    planner.input("How do I  cite ?");
    timers.advance(2000);
    assert.equal(searches.length, 1);
  });

  it("announces once per draft, and again for the next draft", async () => {
    const { timers, searches, shown, planner } = setup();
    planner.input("How do I cite");
    timers.advance(500);
    searches[0].answer(PAGES);
    await settle();
    planner.input("How do I cite a book");
    timers.advance(500);
    searches[1].answer(PAGES);
    await settle();
    assert.deepEqual(
      shown.map(([, announce]) => announce),
      ["2 help pages might answer this", ""],
    );
    planner.input(""); // sent: hidden
    planner.input("Where is the upload button");
    timers.advance(500);
    searches[2].answer(PAGES);
    await settle();
    assert.deepEqual(
      shown.map(([result, announce]) => [Boolean(result), announce]),
      [
        [true, "2 help pages might answer this"],
        [true, ""],
        [false, ""],
        [true, "2 help pages might answer this"],
      ],
    );
  });

  it("hides when the draft gets too short, too long, or finds nothing", async () => {
    const { timers, searches, shown, planner } = setup();
    planner.input("How do I cite");
    timers.advance(500);
    searches[0].answer(PAGES);
    await settle();
    planner.input("How do");
    assert.deepEqual(shown.at(-1), [null, ""]);
    planner.input("How do I cite");
    timers.advance(500);
    assert.equal(searches.length, 2); // asked again: the page had hidden it
    searches[1].answer(PAGES);
    await settle();
    planner.input("x ".repeat(MAX_CHARS));
    timers.advance(500);
    assert.equal(searches.length, 2);
    assert.deepEqual(shown.at(-1), [null, ""]);
    planner.input("Something nobody asked yet");
    timers.advance(500);
    searches[2].answer(NOTHING);
    await settle();
    assert.deepEqual(shown.at(-1), [null, ""]);
  });

  it("shows nothing, and throws nothing, when the search fails", async () => {
    const { timers, searches, shown, planner } = setup();
    planner.input("How do I cite");
    timers.advance(500);
    searches[0].fail();
    await settle();
    assert.deepEqual(shown, []);
  });

  it("after Yes or No shows nothing more until the next draft", async () => {
    const { timers, searches, shown, planner } = setup();
    planner.input("How do I cite");
    timers.advance(500);
    searches[0].answer(PAGES);
    await settle();
    planner.dismiss();
    assert.deepEqual(shown.at(-1), [null, ""]);
    planner.input("How do I cite a book");
    timers.advance(2000);
    assert.equal(searches.length, 1);
    planner.input("");
    planner.input("Where is the upload button");
    timers.advance(500);
    assert.equal(searches.length, 2);
  });

  it("drops an answer in flight when the asker says No", async () => {
    const { timers, searches, shown, planner } = setup();
    planner.input("How do I cite");
    timers.advance(500);
    planner.dismiss();
    searches[0].answer(PAGES);
    await settle();
    assert.deepEqual(shown, []);
  });
});
