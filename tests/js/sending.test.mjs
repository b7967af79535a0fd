import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";

import { Outbox } from "../../static/livechat/outbox.js";
import { retryDelay, Sender } from "../../static/livechat/sending.js";
import { MemoryStorage } from "./fakes.mjs";

const KEY = "livechat:outbox:help-desk:7";
const ME = { id: 7, username: "Alice" };

/** A Sender over an Outbox in `storage`, a socket that is live unless told otherwise and
 * a view that records what the "being sent" list shows. */
function setUp(storage = new MemoryStorage(), { live = true } = {}) {
  let ids = 0;
  const outbox = new Outbox(KEY, {
    storage,
    now: () => new Date("2026-11-26T12:00:00Z"),
    newId: () => `c-${++ids}`,
  });
  const socket = { live, frames: [] };
  const shown = new Map(); // clientId -> state
  const draft = { box: "" };
  const queuedCalls = [];
  const sender = new Sender({
    outbox,
    send: (frame) => {
      if (!socket.live) return false;
      socket.frames.push(frame);
      return true;
    },
    view: {
      show: (entry, state, detail) =>
        shown.set(entry.clientId, detail ? `${state}: ${detail}` : state),
      remove: (clientId) => shown.delete(clientId),
    },
    restoreDraft: (body) => {
      if (draft.box) return false;
      draft.box = body;
      return true;
    },
    onQueued: (entry) => queuedCalls.push(entry.clientId),
  });
  return { sender, outbox, socket, shown, storage, draft, queuedCalls };
}

describe("Sender and Outbox", () => {
  let t;
  beforeEach(() => {
    t = setUp();
  });

  it("sends with a client_id and keeps the entry until the ack", () => {
    const entry = t.sender.submit("Hello", 41);
    assert.deepEqual(t.socket.frames, [
      { type: "message.send", body: "Hello", client_id: "c-1", reply_to: 41 },
    ]);
    assert.equal(t.shown.get("c-1"), "sending");
    assert.equal(t.sender.queued, 1);
    assert.equal(entry.createdAt, "2026-11-26T12:00:00.000Z");

    // The ack comes first, its event after: the pending copy says "sent" until then.
    assert.equal(t.sender.ack({ client_id: "c-1", message_id: 5, event_id: 9 }, false), true);
    assert.equal(t.shown.get("c-1"), "sent");
    assert.equal(t.sender.queued, 0);
    t.sender.arrived({ id: 5, client_id: "c-1", author: ME }, ME);
    assert.equal(t.shown.has("c-1"), false);
  });

  it("removes the pending copy at once when the ack's message is already on the page", () => {
    t.sender.submit("Hello");
    t.sender.ack({ client_id: "c-1", message_id: 5, event_id: 3 }, true);
    assert.equal(t.shown.has("c-1"), false);
    assert.equal(t.sender.pending.size, 0);
  });

  it("ignores an ack for a client_id it does not know", () => {
    assert.equal(t.sender.ack({ client_id: "c-other", message_id: 5 }, false), false);
  });

  it("leaves someone else's message with the same client_id alone", () => {
    t.sender.submit("Hello");
    t.sender.arrived({ id: 5, client_id: "c-1", author: { id: 8 } }, ME);
    assert.equal(t.sender.queued, 1);
  });

  it("queues while offline and sends the whole queue, with the same ids, on hello", () => {
    t.socket.live = false;
    t.sender.submit("One");
    t.sender.submit("Two");
    assert.equal(t.shown.get("c-1"), "queued");
    assert.deepEqual(t.queuedCalls, ["c-1", "c-2"]);
    assert.deepEqual(t.socket.frames, []);

    t.socket.live = true;
    t.sender.flush();
    assert.deepEqual(
      t.socket.frames.map((f) => [f.client_id, f.body]),
      [["c-1", "One"], ["c-2", "Two"]],
    );
    // The socket drops before the acks: everything is shown as waiting, and resent again.
    t.sender.disconnected();
    assert.equal(t.shown.get("c-2"), "queued");
    t.sender.flush();
    assert.equal(t.socket.frames.length, 4);
    assert.deepEqual(new Set(t.socket.frames.map((f) => f.client_id)), new Set(["c-1", "c-2"]));
  });

  it("keeps the queue across a reload of the tab", () => {
    t.socket.live = false;
    t.sender.submit("Typed while offline", 12);
    const raw = t.storage.getItem(KEY);
    assert.match(raw, /Typed while offline/);

    const reloaded = setUp(t.storage);
    reloaded.sender.restore();
    assert.equal(reloaded.shown.get("c-1"), "queued");
    reloaded.sender.flush();
    assert.deepEqual(reloaded.socket.frames, [
      { type: "message.send", body: "Typed while offline", client_id: "c-1", reply_to: 12 },
    ]);
    reloaded.sender.ack({ client_id: "c-1", message_id: 5 }, true);
    assert.equal(t.storage.getItem(KEY), "[]");
  });

  it("starts empty from corrupt or missing storage", () => {
    const storage = new MemoryStorage();
    storage.setItem(KEY, "{not json");
    assert.equal(new Outbox(KEY, { storage }).size, 0);
    storage.setItem(KEY, JSON.stringify([{ clientId: 1 }, { clientId: "c-9", body: "ok" }]));
    assert.deepEqual(new Outbox(KEY, { storage }).all().map((e) => e.clientId), ["c-9"]);
    assert.equal(new Outbox(KEY).size, 0); // no storage at all: memory only
  });

  it("shows a refusal with its reason, drops it from the queue, never retries it itself", () => {
    t.sender.submit("Buy now");
    const refusal = { type: "error", code: "filtered", client_id: "c-1", warning: true };
    assert.equal(t.sender.refused(refusal, "Looks like spam."), true);
    assert.equal(t.shown.get("c-1"), "failed: Looks like spam.");
    assert.equal(t.sender.queued, 0);
    t.sender.flush();
    assert.equal(t.socket.frames.length, 1); // only the first attempt
  });

  it("sends a warned text anyway under a fresh client_id", () => {
    t.sender.submit("Buy now");
    t.sender.refused({ code: "filtered", warning: true, client_id: "c-1" }, "Warned.");
    t.sender.sendAnyway("c-1");
    assert.equal(t.shown.has("c-1"), false);
    assert.deepEqual(t.socket.frames.at(-1), {
      type: "message.send",
      body: "Buy now",
      client_id: "c-2",
    });
  });

  it("retries a refused send with the same client_id", () => {
    t.sender.submit("Hello");
    t.sender.refused({ code: "rate_limited", retry_after: 3, client_id: "c-1" }, "Slow down.");
    assert.equal(t.sender.retry("c-1"), true);
    assert.deepEqual(t.socket.frames.at(-1), {
      type: "message.send",
      body: "Hello",
      client_id: "c-1",
    });
    assert.equal(t.shown.get("c-1"), "sending");
    assert.equal(t.sender.queued, 1); // queued again until the ack
  });

  it("puts a blocked text back into an empty message box", () => {
    t.sender.submit("Hello");
    t.sender.refused({ code: "blocked", client_id: "c-1" }, "You are blocked.");
    assert.equal(t.draft.box, "Hello");
    assert.equal(t.shown.has("c-1"), false);
    assert.equal(t.sender.pending.size, 0);
  });

  it("keeps a blocked text listed when the box already holds something", () => {
    t.draft.box = "a new draft";
    t.sender.submit("Hello");
    t.sender.refused({ code: "blocked", client_id: "c-1" }, "You are blocked.");
    assert.equal(t.draft.box, "a new draft");
    assert.equal(t.shown.get("c-1"), "failed: You are blocked.");
  });

  it("hands a refused entry back for editing and forgets it", () => {
    t.sender.submit("Hello");
    t.sender.refused({ code: "too_long", client_id: "c-1" }, "Too long.");
    assert.equal(t.sender.take("c-1").body, "Hello");
    assert.equal(t.sender.take("c-1"), null);
    assert.equal(t.shown.size, 0);
  });

  it("answers false to an error that is not about one of its sends", () => {
    assert.equal(t.sender.refused({ code: "invalid", client_id: "c-x" }, "No."), false);
  });
});

describe("Sender: the server is unavailable for a moment", () => {
  it("keeps the entry and sends it again, same client_id, after the jittered hint", () => {
    const timers = [];
    const storage = new MemoryStorage();
    const outbox = new Outbox(KEY, { storage, newId: () => "c-1" });
    const frames = [];
    const shown = new Map();
    const sender = new Sender({
      outbox,
      send: (frame) => frames.push(frame) > 0,
      view: { show: (entry, state) => shown.set(entry.clientId, state), remove: () => {} },
      later: (fn, ms) => timers.push({ fn, ms }),
      random: () => 0.25,
    });
    sender.submit("Hello");
    assert.equal(
      sender.refused({ code: "unavailable", client_id: "c-1", retry_after: 2 }, "Try again."),
      true,
    );
    assert.equal(shown.get("c-1"), "queued");
    assert.equal(sender.queued, 1); // still in the outbox (and in storage)
    assert.equal(JSON.parse(storage.getItem(KEY)).length, 1);
    assert.deepEqual(timers.map((t) => t.ms), [1500]); // 2 s × (0.5 + 0.25)
    timers[0].fn();
    assert.deepEqual(frames.map((f) => f.client_id), ["c-1", "c-1"]);
    sender.ack({ client_id: "c-1", message_id: 9, event_id: 3 }, false);
    assert.equal(sender.queued, 0);
  });

  it("does not resend what was acknowledged meanwhile", () => {
    const timers = [];
    const outbox = new Outbox(KEY, { newId: () => "c-1" });
    const frames = [];
    const sender = new Sender({
      outbox,
      send: (frame) => frames.push(frame) > 0,
      view: { show: () => {}, remove: () => {} },
      later: (fn, ms) => timers.push({ fn, ms }),
    });
    sender.submit("Hello");
    sender.refused({ code: "unavailable", client_id: "c-1" }, "Try again.");
    sender.ack({ client_id: "c-1", message_id: 9, event_id: 3 }, false); // a hello's resend
    timers[0].fn();
    assert.equal(frames.length, 1);
  });

  it("waits between half and one and a half times the hint, 5 s without one", () => {
    assert.equal(retryDelay(4, () => 0), 2000);
    assert.equal(retryDelay(4, () => 0.999999) < 6000, true);
    assert.equal(retryDelay(undefined, () => 0.5), 5000);
  });
});
