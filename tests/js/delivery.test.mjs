import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";

import { Delivery } from "../../static/livechat/delivery.js";
import { FakeTimers, messageEvent } from "./fakes.mjs";

const MESSAGE_KINDS = [
  "message.created",
  "message.edited",
  "message.hidden",
  "message.unhidden",
  "reaction.changed",
];

/** A Delivery whose handlers record what was applied, with a socket that is live unless
 * told otherwise. */
function setUp({ live = true } = {}) {
  const applied = [];
  const resumes = [];
  const fetches = [];
  const timers = new FakeTimers();
  const socket = { live };
  const handlers = Object.fromEntries(
    MESSAGE_KINDS.map((kind) => [
      kind,
      (event) => {
        applied.push(event.event_id);
        return kind === "message.created";
      },
    ]),
  );
  const delivery = new Delivery({
    handlers,
    sendResume: (after) => {
      if (!socket.live) return false;
      resumes.push(after);
      return true;
    },
    fetchAfter: (after) => fetches.push(after),
    timers,
    gapFallbackMs: 4000,
  });
  return { delivery, applied, resumes, fetches, timers, socket, handlers };
}

/** The page is past its first hello and history, at event `last`. */
function ready(t, last = 0) {
  assert.equal(t.delivery.hello(last), "fresh");
  t.delivery.historyLoading();
  t.delivery.historyLoaded();
}

describe("Delivery", () => {
  let t;
  beforeEach(() => {
    t = setUp();
  });

  it("applies events in id order and reports new messages", () => {
    ready(t, 10);
    assert.equal(t.delivery.receive(messageEvent(11, 1)), true);
    assert.equal(t.delivery.receive(messageEvent(12, 1, "message.edited")), false);
    assert.deepEqual(t.applied, [11, 12]);
    assert.equal(t.delivery.lastEventId, 12);
    assert.deepEqual(t.resumes, []);
  });

  it("holds back an event past a gap, asks once, and applies all once it is filled", () => {
    ready(t, 10);
    t.delivery.receive(messageEvent(13, 3));
    t.delivery.receive(messageEvent(14, 4));
    assert.deepEqual(t.applied, []);
    assert.equal(t.delivery.lastEventId, 10);
    assert.deepEqual(t.resumes, [10]); // one resume for the whole gap
    assert.equal(t.delivery.gapOpen, true);

    // The replay fills the gap: 11 and 12 arrive, then everything held applies in order.
    t.delivery.receive(messageEvent(11, 1));
    assert.deepEqual(t.applied, [11]);
    t.delivery.receive(messageEvent(12, 2));
    assert.deepEqual(t.applied, [11, 12, 13, 14]);
    assert.equal(t.delivery.lastEventId, 14);
    assert.equal(t.delivery.gapOpen, false);
    assert.equal(t.timers.count, 0); // the HTTP fallback was called off
    t.timers.advance(10_000);
    assert.deepEqual(t.fetches, []);
  });

  it("asks again after a gap when the position moved on", () => {
    ready(t, 10);
    t.delivery.receive(messageEvent(12, 2));
    t.delivery.receive(messageEvent(11, 1));
    t.delivery.receive(messageEvent(14, 4));
    assert.deepEqual(t.resumes, [10, 12]);
  });

  it("fills a gap over HTTP when resume did not fill it in time", () => {
    ready(t, 10);
    t.delivery.receive(messageEvent(12, 2));
    t.timers.advance(3999);
    assert.deepEqual(t.fetches, []);
    t.timers.advance(1);
    assert.deepEqual(t.fetches, [10]);
    // The events API answers (its events have no "type"); the gap closes.
    const { type, ...fromApi } = messageEvent(11, 1);
    t.delivery.accept([fromApi, messageEvent(12, 2)]);
    assert.deepEqual(t.applied, [11, 12]);
  });

  it("drops duplicates, from the socket and from an overlapping replay", () => {
    ready(t, 10);
    t.delivery.receive(messageEvent(11, 1));
    t.delivery.receive(messageEvent(11, 1));
    t.delivery.accept([messageEvent(10, 0), messageEvent(11, 1), messageEvent(12, 2)]);
    t.delivery.receive(messageEvent(12, 2));
    assert.deepEqual(t.applied, [11, 12]);
  });

  it("lets an event of an unknown kind only advance the position, never stall later ones", () => {
    ready(t, 10);
    t.delivery.receive({ type: "event", event_id: 11, kind: "question.opened", question: {} });
    // A kind the server no longer knows comes with no object at all.
    t.delivery.receive({ type: "event", event_id: 12, kind: "gone.from.the.server" });
    t.delivery.receive(messageEvent(13, 3));
    assert.deepEqual(t.applied, [13]);
    assert.equal(t.delivery.lastEventId, 13);
    assert.equal(t.delivery.gapOpen, false);
  });

  it("applies an unknown kind in its place when it fills a gap", () => {
    ready(t, 10);
    t.delivery.receive(messageEvent(12, 2));
    assert.deepEqual(t.applied, []);
    t.delivery.receive({ event_id: 11, kind: "question.opened", question: { id: 5 } });
    assert.deepEqual(t.applied, [12]);
  });

  it("gives a new kind to its own handler, with its object under its own name", () => {
    const questions = [];
    t.handlers["question.opened"] = (event) => questions.push(event.question.id);
    ready(t, 0);
    t.delivery.receive({ event_id: 1, kind: "question.opened", question: { id: 9 } });
    assert.deepEqual(questions, [9]);
  });

  it("asks handlerFor for kinds it has no handler of, in order with the others", () => {
    const order = [];
    const delivery = new Delivery({
      handlers: { "message.created": (event) => order.push(`m${event.event_id}`) },
      handlerFor: (kind) =>
        kind.startsWith("question.") ? (event) => order.push(`q${event.event_id}`) : undefined,
      sendResume: () => true,
      fetchAfter: () => {},
      timers: new FakeTimers(),
    });
    delivery.hello(0);
    delivery.historyLoading();
    delivery.historyLoaded();
    delivery.receive(messageEvent(2, 1));
    delivery.receive({ event_id: 3, kind: "later.kind" });
    delivery.receive({ event_id: 1, kind: "question.opened", question: { id: 4 } });
    delivery.receive({ event_id: 4, kind: "question.claimed", question: { id: 4 } });
    assert.deepEqual(order, ["q1", "m2", "q4"]);
    assert.equal(delivery.lastEventId, 4);
  });

  it("goes on past a handler that throws, and reports the error", () => {
    const errors = [];
    const delivery = new Delivery({
      handlers: {
        "message.created": (event) => {
          if (event.event_id === 1) throw new Error("broken");
          return true;
        },
      },
      sendResume: () => true,
      fetchAfter: () => {},
      timers: new FakeTimers(),
      onHandlerError: (error) => errors.push(error.message),
    });
    delivery.hello(0);
    delivery.historyLoaded();
    assert.equal(delivery.accept([messageEvent(1, 1), messageEvent(2, 2)]), true);
    assert.equal(delivery.lastEventId, 2);
    assert.deepEqual(errors, ["broken"]);
  });

  it("ignores an event without an integer id", () => {
    ready(t, 0);
    assert.equal(t.delivery.receive({ type: "event", kind: "message.created" }), false);
    assert.equal(t.delivery.receive({ event_id: "1", kind: "message.created" }), false);
    assert.equal(t.delivery.lastEventId, 0);
  });

  it("keeps events that arrive while the history loads and applies them after it", () => {
    assert.equal(t.delivery.hello(10), "fresh");
    t.delivery.historyLoading();
    assert.equal(t.delivery.receive(messageEvent(12, 2)), false);
    assert.equal(t.delivery.receive(messageEvent(11, 1)), false);
    assert.deepEqual(t.applied, []);
    assert.equal(t.delivery.historyLoaded(), true);
    assert.deepEqual(t.applied, [11, 12]);
    assert.equal(t.delivery.historyState, "ready");
  });

  it("on a reconnect asks for everything after the last id it holds", () => {
    ready(t, 10);
    t.delivery.receive(messageEvent(11, 1));
    t.delivery.receive(messageEvent(12, 2));
    // The socket drops; a new one opens and says hello with the room's newer position.
    t.delivery.socketOpened();
    assert.equal(t.delivery.hello(20), "resume");
    assert.deepEqual(t.resumes, [12]);
    assert.equal(t.delivery.lastEventId, 12); // not the hello's: 13…20 are still to come
    t.delivery.accept([messageEvent(13, 3), messageEvent(14, 4)]);
    assert.deepEqual(t.applied, [11, 12, 13, 14]);
  });

  it("asks again for the same gap on a new socket", () => {
    ready(t, 10);
    t.delivery.receive(messageEvent(12, 2));
    assert.deepEqual(t.resumes, [10]);
    t.delivery.socketOpened();
    t.delivery.receive(messageEvent(13, 3));
    assert.deepEqual(t.resumes, [10, 10]);
  });

  it("does not count a resume as asked while the socket is down", () => {
    t.socket.live = false;
    ready(t, 10);
    t.delivery.receive(messageEvent(12, 2));
    assert.deepEqual(t.resumes, []);
    t.socket.live = true;
    t.delivery.receive(messageEvent(13, 3));
    assert.deepEqual(t.resumes, [10]);
  });

  it("clears everything on resync and starts over from the next hello", () => {
    ready(t, 10);
    t.delivery.receive(messageEvent(12, 2)); // held, with a fallback timer
    const before = t.delivery.generation;
    t.delivery.resync();
    assert.equal(t.delivery.lastEventId, null);
    assert.equal(t.delivery.historyState, "idle");
    assert.equal(t.delivery.gapOpen, false);
    assert.equal(t.timers.count, 0);
    assert.equal(t.delivery.isCurrent(before), false); // answers from before are dropped
    assert.equal(t.delivery.covers(5), false);

    // Events of the new socket wait for the new history; the held one is gone for good.
    assert.equal(t.delivery.hello(30), "fresh");
    t.delivery.historyLoading();
    t.delivery.receive(messageEvent(31, 31));
    t.delivery.historyLoaded();
    assert.deepEqual(t.applied, [31]);
    assert.equal(t.delivery.lastEventId, 31);
  });

  it("says which events are behind the page", () => {
    assert.equal(t.delivery.covers(1), false);
    ready(t, 10);
    assert.equal(t.delivery.covers(10), true);
    assert.equal(t.delivery.covers(11), false);
    assert.equal(t.delivery.covers(undefined), false);
  });
});
