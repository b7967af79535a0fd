import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  ANNOUNCE_EVERY_MS,
  MessageAnnouncer,
  excerpt,
  summary,
} from "../../static/livechat/announcer.js";
import { FakeTimers } from "./fakes.mjs";

const ME = 1;

function msg(id, username = "Bob", body = `message ${id}`, authorId = 2) {
  return { id, body, author: { id: authorId, username } };
}

function announcer() {
  const timers = new FakeTimers();
  const said = [];
  const a = new MessageAnnouncer({
    speak: (text) => said.push([timers.now, text]),
    me: ME,
    now: () => timers.now,
    setTimeout: timers.setTimeout,
    clearTimeout: timers.clearTimeout,
  });
  return { a, timers, said };
}

describe("summary", () => {
  it("reads one message with its author", () => {
    assert.equal(summary([msg(1, "Zoë", "Hi  there\nall")]), "New message from Zoë: Hi there all");
  });

  it("counts several", () => {
    assert.equal(summary([msg(1), msg(2), msg(3)]), "3 new messages");
  });

  it("counts a message with no text to read (hidden)", () => {
    assert.equal(summary([msg(1, "Bob", "")]), "1 new message");
  });

  it("cuts long messages", () => {
    const text = excerpt("x".repeat(500));
    assert.equal(text.length, 140);
    assert.ok(text.endsWith("…"));
  });
});

describe("MessageAnnouncer", () => {
  it("says the first message at once", () => {
    const { a, said } = announcer();
    a.add(msg(1));
    assert.deepEqual(said, [[0, "New message from Bob: message 1"]]);
  });

  it("sums up a burst in one announcement when the pause ends", () => {
    const { a, timers, said } = announcer();
    a.add(msg(1));
    for (let id = 2; id <= 30; id++) {
      timers.advance(100);
      a.add(msg(id));
    }
    assert.equal(said.length, 1);
    timers.advance(ANNOUNCE_EVERY_MS);
    assert.deepEqual(said[1], [ANNOUNCE_EVERY_MS, "29 new messages"]);
    assert.equal(timers.count, 0);
  });

  it("never speaks twice within the interval", () => {
    const { a, timers, said } = announcer();
    for (let id = 1; id <= 200; id++) {
      a.add(msg(id));
      timers.advance(237);
    }
    timers.advance(ANNOUNCE_EVERY_MS);
    const times = said.map(([at]) => at);
    for (let i = 1; i < times.length; i++) {
      assert.ok(times[i] - times[i - 1] >= ANNOUNCE_EVERY_MS, `${times[i - 1]} -> ${times[i]}`);
    }
    // Every message is accounted for: the first read, the rest counted.
    const counted = said
      .slice(1)
      .map(([, text]) => Number(text.match(/^(\d+) new message/)?.[1] ?? 1))
      .reduce((sum, n) => sum + n, 0);
    assert.equal(counted, 199);
  });

  it("reads a lone message after a quiet spell at once", () => {
    const { a, timers, said } = announcer();
    a.add(msg(1));
    timers.advance(ANNOUNCE_EVERY_MS + 1);
    a.add(msg(2, "Ann", "hello"));
    assert.deepEqual(said.at(-1), [ANNOUNCE_EVERY_MS + 1, "New message from Ann: hello"]);
  });

  it("waits out the rest of the pause for a message soon after", () => {
    const { a, timers, said } = announcer();
    a.add(msg(1));
    timers.advance(1000);
    a.add(msg(2, "Ann", "hello"));
    assert.equal(said.length, 1);
    timers.advance(ANNOUNCE_EVERY_MS - 1000);
    assert.deepEqual(said.at(-1), [ANNOUNCE_EVERY_MS, "New message from Ann: hello"]);
  });

  it("does not announce the reader's own messages", () => {
    const { a, said } = announcer();
    a.add(msg(1, "Me", "mine", ME));
    assert.deepEqual(said, []);
  });

  it("forgets what is pending on reset", () => {
    const { a, timers, said } = announcer();
    a.add(msg(1));
    a.add(msg(2));
    a.reset();
    timers.advance(ANNOUNCE_EVERY_MS * 2);
    assert.equal(said.length, 1);
    assert.equal(timers.count, 0);
  });
});

describe("MessageAnnouncer's own timers", () => {
  it("calls the global timers as functions, not as its methods", async () => {
    const said = [];
    const a = new MessageAnnouncer({ speak: (text) => said.push(text), everyMs: 20 });
    const real = globalThis.setTimeout;
    // The browser's setTimeout refuses any `this` but the window ("Illegal invocation").
    globalThis.setTimeout = function (fn, ms) {
      if (this !== undefined && this !== globalThis) throw new TypeError("Illegal invocation");
      return real(fn, ms);
    };
    try {
      a.add(msg(1));
      a.add(msg(2));
    } finally {
      globalThis.setTimeout = real;
    }
    await new Promise((resolve) => real(resolve, 50));
    assert.deepEqual(said, ["New message from Bob: message 1", "New message from Bob: message 2"]);
  });
});
