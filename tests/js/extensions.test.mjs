import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  handlerFor,
  onRoom,
  registerEventKinds,
  registerMessagePart,
  renderMessageParts,
  roomReady,
} from "../../static/livechat/extensions.js";

// The registry is one per page (module state): each test uses kinds of its own.

describe("extensions", () => {
  it("hands a registered kind's events to its handler, and knows no other kind", () => {
    const seen = [];
    registerEventKinds(["test.one", "test.two"], (event) => seen.push(event.event_id));
    handlerFor("test.one")({ event_id: 1 });
    handlerFor("test.two")({ event_id: 2 });
    assert.deepEqual(seen, [1, 2]);
    assert.equal(handlerFor("test.unknown"), undefined);
  });

  it("keeps the first handler of a kind and reports a second", (t) => {
    const reported = t.mock.method(console, "error", () => {});
    registerEventKinds(["test.once"], () => "first");
    registerEventKinds(["test.once"], () => "second");
    assert.equal(handlerFor("test.once")(), "first");
    assert.equal(reported.mock.callCount(), 1);
    assert.deepEqual(reported.mock.calls[0].arguments.slice(1), ["test.once"]);
  });

  it("renders the parts in order and leaves out those with nothing to show", () => {
    registerMessagePart((message) => (message.id === 7 ? `chip ${message.id}` : null));
    registerMessagePart((message) => `buttons ${message.id}`);
    assert.deepEqual(renderMessageParts({ id: 7 }, {}), ["chip 7", "buttons 7"]);
    assert.deepEqual(renderMessageParts({ id: 8 }, {}), ["buttons 8"]);
  });

  it("gives the room to callbacks registered before and after it exists", () => {
    const got = [];
    onRoom((room) => got.push(["early", room.name]));
    roomReady({ name: "help-desk" });
    onRoom((room) => got.push(["late", room.name]));
    assert.deepEqual(got, [
      ["early", "help-desk"],
      ["late", "help-desk"],
    ]);
  });
});
