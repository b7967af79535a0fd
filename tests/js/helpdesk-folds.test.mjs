import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { Folds } from "../../static/helpdesk/folds.js";

const thread = (question, first, ...rest) => ({
  question_id: question,
  message_id: first,
  message_ids: [first, ...rest],
  asker: { id: 1, username: "Alice" },
});

describe("Folds", () => {
  it("folds a listed thread into its first message", () => {
    const folds = new Folds();
    folds.update([thread(7, 10, 11, 13)]);
    assert.equal(folds.state(10), "head");
    assert.equal(folds.state(11), "folded");
    assert.equal(folds.state(13), "folded");
    assert.equal(folds.state(12), "shown");
    assert.equal(folds.size(7), 3);
    assert.equal(folds.threadOf(11).question_id, 7);
  });

  it("shows the whole thread once the reader opens it, and keeps it open on refresh", () => {
    const folds = new Folds();
    folds.update([thread(7, 10, 11)]);
    assert.deepEqual(folds.open(7).sort(), [10, 11]);
    assert.equal(folds.state(10), "shown");
    assert.equal(folds.state(11), "shown");
    folds.update([thread(7, 10, 11), thread(8, 20)]);
    assert.equal(folds.state(10), "shown");
    assert.equal(folds.state(20), "head");
  });

  it("says which messages changed when the list changes", () => {
    const folds = new Folds();
    folds.update([thread(7, 10, 11)]);
    const touched = folds.update([thread(8, 20, 21)]);
    assert.deepEqual(touched.sort((a, b) => a - b), [10, 11, 20, 21]);
    assert.equal(folds.state(10), "shown");
    assert.equal(folds.state(21), "folded");
  });

  it("unfolds a reopened question", () => {
    const folds = new Folds();
    folds.update([thread(7, 10, 11)]);
    assert.deepEqual(folds.forget(7).sort(), [10, 11]);
    assert.equal(folds.state(10), "shown");
    assert.equal(folds.state(11), "shown");
    assert.deepEqual(folds.forget(99), []);
  });

  it("forgets that a thread was opened once it is no longer listed", () => {
    const folds = new Folds();
    folds.update([thread(7, 10, 11)]);
    folds.open(7);
    folds.update([]);
    folds.update([thread(7, 10, 11)]);
    assert.equal(folds.state(10), "head");
  });

  it("ignores opening a thread it does not know", () => {
    const folds = new Folds();
    assert.deepEqual(folds.open(3), []);
    assert.equal(folds.opened.size, 0);
  });
});
