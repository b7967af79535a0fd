import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { Poller } from "../../static/livechat/polling.js";
import { FakeTimers } from "./fakes.mjs";

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("Poller", () => {
  it("starts a while after the socket went down and goes on until it is back", async () => {
    const timers = new FakeTimers();
    const state = { live: false };
    let rounds = 0;
    const poller = new Poller({
      round: async () => {
        rounds += 1;
      },
      shouldRun: () => !state.live,
      timers,
      afterMs: 10_000,
      everyMs: 5_000,
    });
    poller.startSoon();
    poller.startSoon(); // a second close does not start a second loop
    assert.equal(timers.count, 1);
    timers.advance(9_999);
    assert.equal(rounds, 0);
    timers.advance(1);
    await settle();
    assert.equal(rounds, 1);
    assert.equal(poller.active, true);
    timers.advance(5_000);
    await settle();
    assert.equal(rounds, 2);

    state.live = true; // hello
    poller.stop();
    assert.equal(poller.active, false);
    timers.advance(60_000);
    await settle();
    assert.equal(rounds, 2);
  });

  it("does not reschedule itself over a loop started during its round", async () => {
    const timers = new FakeTimers();
    let release;
    const poller = new Poller({
      round: () => new Promise((resolve) => { release = resolve; }),
      shouldRun: () => true,
      timers,
      afterMs: 1,
      everyMs: 1,
    });
    poller.startSoon();
    timers.advance(1); // round 1 under way
    poller.stop();
    poller.startSoon(); // closed and reopened meanwhile
    release();
    await settle();
    assert.equal(timers.count, 1);
  });
});
