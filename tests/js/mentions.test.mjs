import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { mentionText } from "../../static/livechat/mentions.js";

describe("mention completion", () => {
  it("inserts the server's mention text, which always resolves to that person", () => {
    assert.equal(mentionText({ username: "J.R.", mention: "@[J.R.]" }), "@[J.R.]");
    assert.equal(mentionText({ username: "John Smith", mention: "@John_Smith" }), "@John_Smith");
    assert.equal(mentionText({ username: "Zoë", mention: "@Zoë" }), "@Zoë");
  });

  it("falls back to @username when the server sends no mention", () => {
    assert.equal(mentionText({ username: "Alice" }), "@Alice");
    assert.equal(mentionText({ username: "Alice", mention: "" }), "@Alice");
  });
});
