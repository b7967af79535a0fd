import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  Announcer,
  accountAge,
  actionsFor,
  announcementKind,
  askerFacts,
  badgeSentence,
  badgeState,
  belongsTo,
  claimMinutesLeft,
  estimateOffset,
  formatWait,
  mergeQuestion,
  parseFilter,
  refreshRouting,
  sortQueue,
  stateSentence,
  waitLevel,
  waitSeconds,
} from "../../static/helpdesk/queue-model.js";
import { FakeTimers } from "./fakes.mjs";

const ME = 7;
const NOW = Date.parse("2026-03-10T12:00:00Z");
const at = (minutesAgo) => new Date(NOW - minutesAgo * 60_000).toISOString();
const user = (id, username) => ({ id, username, roles: [] });

function question(id, fields = {}) {
  return {
    id,
    room: "help-desk",
    asker: user(100 + id, `Asker${id}`),
    state: "waiting",
    message_id: 1000 + id,
    asked_at: at(10),
    first_reply_at: null,
    claimed_by: null,
    claim_expires_at: null,
    mentor: null,
    routed_until: null,
    updated_at: at(10),
    ...fields,
  };
}

const ids = (list) => list.map((q) => q.id);

describe("filters", () => {
  it("falls back to unresolved for anything it does not know", () => {
    assert.equal(parseFilter("mine"), "mine");
    assert.equal(parseFilter("closed"), "unresolved");
    assert.equal(parseFilter(null), "unresolved");
  });

  it("shows what the queue API shows for each filter", () => {
    const waiting = question(1);
    const mineClaimed = question(2, { state: "claimed", claimed_by: user(ME, "Me") });
    const mentee = question(3, { state: "answered", mentor: user(ME, "Me") });
    const theirs = question(4, { state: "claimed", claimed_by: user(9, "Mia") });
    const resolved = question(5, { state: "resolved", claimed_by: user(ME, "Me") });
    const all = [waiting, mineClaimed, mentee, theirs, resolved];
    const shown = (filter) => ids(all.filter((q) => belongsTo(q, filter, ME)));
    assert.deepEqual(shown("waiting"), [1]);
    assert.deepEqual(shown("unresolved"), [1, 2, 3, 4]);
    assert.deepEqual(shown("mine"), [2, 3]);
    assert.deepEqual(shown("all"), [1, 2, 3, 4, 5]);
  });
});

describe("ordering", () => {
  it("puts questions routed to me first, then the oldest first", () => {
    const list = [
      question(1, { asked_at: at(3) }),
      question(2, { asked_at: at(20) }),
      question(3, { asked_at: at(1), routed_to_me: true }),
      question(4, { asked_at: at(20) }),
    ];
    assert.deepEqual(ids(sortQueue(list, "unresolved")), [3, 2, 4, 1]);
  });

  it("shows everything newest first under all", () => {
    const list = [question(1, { asked_at: at(3) }), question(2, { asked_at: at(1) })];
    assert.deepEqual(ids(sortQueue(list, "all")), [2, 1]);
  });

  it("moves a question down once the mentor's head start is over", () => {
    const routed = question(1, {
      asked_at: at(1),
      mentor: user(ME, "Me"),
      routed_until: new Date(NOW + 60_000).toISOString(),
      routed_to_me: true,
    });
    const older = question(2, { asked_at: at(5) });
    const before = refreshRouting([routed, older], ME, NOW);
    assert.equal(before.changed, false);
    const after = refreshRouting(before.list, ME, NOW + 61_000);
    assert.equal(after.changed, true);
    assert.deepEqual(ids(sortQueue(after.list, "unresolved")), [2, 1]);
  });
});

describe("mergeQuestion", () => {
  const options = { filter: "unresolved", meId: ME, serverNowMs: NOW };

  it("adds a new question in its place and asks for its details", () => {
    const list = [question(1, { asked_at: at(10) }), question(2, { asked_at: at(2) })];
    const result = mergeQuestion(list, question(3, { asked_at: at(5) }), options);
    assert.equal(result.change, "added");
    assert.equal(result.needsDetails, true);
    assert.deepEqual(ids(result.list), [1, 3, 2]);
  });

  it("keeps the queue's own fields when a question changes", () => {
    const shown = question(1, {
      first_message: "How do I cite?",
      asker_info: { messages_sent: 3 },
      wait_seconds: 600,
    });
    const claimed = question(1, {
      state: "claimed",
      claimed_by: user(9, "Mia"),
      updated_at: at(1),
    });
    const result = mergeQuestion([shown], claimed, options);
    assert.equal(result.change, "updated");
    assert.equal(result.needsDetails, false);
    assert.equal(result.list[0].state, "claimed");
    assert.equal(result.list[0].first_message, "How do I cite?");
    assert.deepEqual(result.list[0].asker_info, { messages_sent: 3 });
  });

  it("removes a question that left the filter", () => {
    const result = mergeQuestion(
      [question(1), question(2)],
      question(1, { state: "resolved", updated_at: at(0) }),
      options,
    );
    assert.equal(result.change, "removed");
    assert.deepEqual(ids(result.list), [2]);
  });

  it("ignores an older copy than the one shown, and questions of other filters", () => {
    const shown = question(1, { state: "claimed", updated_at: at(1) });
    const stale = question(1, { state: "waiting", updated_at: at(5) });
    assert.equal(mergeQuestion([shown], stale, options).change, "ignored");
    const elsewhere = question(2, { state: "resolved" });
    assert.equal(mergeQuestion([shown], elsewhere, options).change, "ignored");
  });

  it("marks a question routed to me and puts it first", () => {
    const routed = question(2, {
      asked_at: at(1),
      mentor: user(ME, "Me"),
      routed_until: new Date(NOW + 5 * 60_000).toISOString(),
    });
    const result = mergeQuestion([question(1)], routed, options);
    assert.equal(result.list[0].id, 2);
    assert.equal(result.list[0].routed_to_me, true);
  });
});

describe("waits", () => {
  it("learns how far the server's clock is ahead from a fetched queue", () => {
    const fetched = [
      question(1, { asked_at: at(10), wait_seconds: 600 }),
      question(2, { asked_at: at(4), first_reply_at: at(3), wait_seconds: 60 }),
    ];
    assert.equal(estimateOffset(fetched, NOW), 0);
    assert.equal(estimateOffset(fetched, NOW - 30_000), 30_000);
    assert.equal(estimateOffset([], NOW), 0);
  });

  it("counts to now while there is no reply, and stops at the first reply", () => {
    assert.equal(waitSeconds(question(1, { asked_at: at(4) }), NOW), 240);
    assert.equal(waitSeconds(question(1, { asked_at: at(4) }), NOW + 1000), 241);
    assert.equal(waitSeconds(question(1, { asked_at: at(4), first_reply_at: at(1) }), NOW), 180);
    assert.equal(waitSeconds(question(1, { asked_at: at(-1) }), NOW), 0);
  });

  it("formats a wait short", () => {
    assert.equal(formatWait(0), "0 s");
    assert.equal(formatWait(45), "45 s");
    assert.equal(formatWait(4 * 60 + 59), "4 min");
    assert.equal(formatWait(2 * 3600 + 5 * 60), "2 h 5 min");
    assert.equal(formatWait(3 * 86400), "3 days");
  });

  it("colours a wait: under 5 minutes, 5 to 30, over 30", () => {
    assert.equal(waitLevel(null), "ok");
    assert.equal(waitLevel(299), "ok");
    assert.equal(waitLevel(300), "warn");
    assert.equal(waitLevel(1800), "warn");
    assert.equal(waitLevel(1801), "late");
  });

  it("counts a claim's minutes down, rounded up", () => {
    const claimed = question(1, {
      state: "claimed",
      claim_expires_at: new Date(NOW + 7.5 * 60_000).toISOString(),
    });
    assert.equal(claimMinutesLeft(claimed, NOW), 8);
    assert.equal(claimMinutesLeft(claimed, NOW + 60 * 60_000), 0);
    assert.equal(claimMinutesLeft(question(1), NOW), null);
  });
});

describe("the asker and the state", () => {
  it("says how old the account is", () => {
    assert.equal(accountAge(at(30), NOW), "joined today");
    assert.equal(accountAge(at(3 * 1440), NOW), "joined 3 days ago");
    assert.equal(accountAge(at(150 * 1440), NOW), "joined 5 months ago");
    assert.equal(accountAge(at(800 * 1440), NOW), "joined 2 years ago");
    assert.equal(accountAge(null, NOW), null);
  });

  it("lists the wiki edit count only once it is known", () => {
    const info = { joined_at: at(1440), messages_sent: 1, wiki_edit_count: null };
    assert.deepEqual(askerFacts(info, NOW), ["joined 1 day ago", "1 message sent"]);
    assert.deepEqual(askerFacts({ ...info, messages_sent: 4, wiki_edit_count: 120 }, NOW), [
      "joined 1 day ago",
      "4 messages sent",
      "120 wiki edits",
    ]);
    assert.deepEqual(askerFacts(undefined, NOW), []);
  });

  it("names the claimer, or says it is me", () => {
    const claimed = question(1, { state: "claimed", claimed_by: user(9, "Mia") });
    assert.equal(stateSentence(claimed, ME), "%(name)s is on it");
    assert.equal(stateSentence(claimed, 9), "You are on it");
    assert.equal(stateSentence(question(1), ME), "Waiting for a helper");
  });

  it("offers claim, release and mark answered as the state allows", () => {
    const mine = question(1, { state: "claimed", claimed_by: user(ME, "Me") });
    const theirs = question(2, { state: "claimed", claimed_by: user(9, "Mia") });
    assert.deepEqual(actionsFor(question(3), { meId: ME }), {
      claim: true,
      unclaim: false,
      resolve: true,
    });
    assert.deepEqual(actionsFor(mine, { meId: ME }), {
      claim: false,
      unclaim: true,
      resolve: true,
    });
    assert.equal(actionsFor(theirs, { meId: ME }).unclaim, false);
    assert.equal(actionsFor(theirs, { meId: ME, moderator: true }).unclaim, true);
    assert.deepEqual(actionsFor(question(4, { state: "resolved" }), { meId: ME }), {
      claim: false,
      unclaim: false,
      resolve: false,
    });
  });
});

describe("the badge", () => {
  it("counts, colours by the oldest wait, and keeps the wait growing between fetches", () => {
    const summary = { waiting: 3, oldest_wait_seconds: 250, level: "ok" };
    const fresh = badgeState(summary, 0);
    assert.equal(fresh.countText, "3");
    assert.equal(fresh.level, "ok");
    const later = badgeState(summary, 60_000);
    assert.equal(later.oldest, 310);
    assert.equal(later.level, "warn");
    assert.equal(later.wait, "5 min");
    assert.equal(badgeState({ waiting: 150, oldest_wait_seconds: 4000 }).countText, "99+");
    assert.equal(badgeState({ waiting: 150, oldest_wait_seconds: 4000 }).level, "late");
  });

  it("has nothing to colour when nothing waits", () => {
    const empty = badgeState({ waiting: 0, oldest_wait_seconds: null, level: "ok" }, 90_000);
    assert.equal(empty.level, "none");
    assert.equal(empty.oldest, null);
    assert.equal(empty.text, "No questions waiting");
  });

  it("reads as one sentence", () => {
    assert.equal(badgeSentence(3, 12 * 60), "3 questions waiting, the oldest for 12 minutes");
    assert.equal(badgeSentence(1, 40), "1 question waiting, for 40 seconds");
    assert.equal(badgeSentence(2, 3 * 3600), "2 questions waiting, the oldest for 3 hours");
  });
});

describe("announcements", () => {
  it("announces new questions and questions back in the queue", () => {
    assert.equal(announcementKind("question.opened", question(1)), "new");
    assert.equal(announcementKind("question.reopened", question(1)), "again");
    assert.equal(announcementKind("question.unclaimed", question(1)), "again");
    const answered = question(1, { state: "answered" });
    assert.equal(announcementKind("question.unclaimed", answered), null);
    assert.equal(announcementKind("question.claimed", question(1)), null);
  });

  it("says at most one thing every few seconds, gathering what came meanwhile", () => {
    const timers = new FakeTimers();
    const said = [];
    const announcer = new Announcer({
      say: (text) => said.push(text),
      intervalMs: 5000,
      now: () => timers.now,
      setTimeout: timers.setTimeout,
      clearTimeout: timers.clearTimeout,
    });
    announcer.add({ kind: "new", name: "Ana" });
    assert.deepEqual(said, ["New question from Ana"]);

    timers.advance(1000);
    announcer.add({ kind: "new", name: "Ben" });
    announcer.add({ kind: "new", name: "Cy" });
    assert.equal(said.length, 1, "nothing more before the interval is over");
    timers.advance(3999);
    assert.equal(said.length, 1);
    timers.advance(1);
    assert.deepEqual(said, ["New question from Ana", "2 new questions"]);

    timers.advance(5000);
    announcer.add({ kind: "again", name: "Ana" });
    assert.equal(said.at(-1), "The question from Ana is waiting again");
    timers.advance(100);
    announcer.add({ kind: "again", name: "Ben" });
    announcer.add({ kind: "new", name: "Dee" });
    timers.advance(5000);
    assert.equal(said.at(-1), "2 questions need a helper");
    assert.equal(said.length, 4);
  });
});
