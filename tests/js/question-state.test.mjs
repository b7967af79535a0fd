import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  actionsFor,
  chipFor,
  currentQuestion,
  escalationFor,
  isHelper,
  isNewer,
} from "../../static/helpdesk/question-state.js";

const asker = { id: 1, username: "Nina", roles: [] };
const mia = { id: 2, username: "Mia", roles: ["mentor"] };
const sam = { id: 3, username: "Sam", roles: ["moderator"] };
const passerby = { id: 4, username: "Otto", roles: [] };

function question(extra = {}) {
  return {
    id: 10,
    room: "help-desk",
    asker: { id: 1, username: "Nina", roles: [] },
    state: "waiting",
    message_id: 100,
    asked_at: "2026-03-10T09:00:00Z",
    claimed_by: null,
    step: 0,
    updated_at: "2026-03-10T09:00:00Z",
    ...extra,
  };
}

const claimedByMia = () => question({ state: "claimed", claimed_by: { ...mia } });
const verbs = (buttons) => buttons.map((button) => button.action);

describe("chipFor", () => {
  it("says the question waits, to everyone", () => {
    const chip = chipFor(question(), asker);
    assert.deepEqual(chip, { state: "waiting", text: "Waiting for a helper" });
    assert.equal(chipFor(question(), passerby).text, "Waiting for a helper");
  });

  it("names the helper on it, worded for the asker, the helper and everyone else", () => {
    assert.equal(chipFor(claimedByMia(), asker).text, "Mia is looking at your question");
    assert.equal(chipFor(claimedByMia(), passerby).text, "Mia is on it");
    assert.equal(chipFor(claimedByMia(), sam).text, "Mia is on it");
    assert.equal(chipFor(claimedByMia(), mia).text, "You are on it");
  });

  it("shows answered, resolved and stale", () => {
    assert.equal(chipFor(question({ state: "answered" }), asker).text, "Answered");
    assert.equal(chipFor(question({ state: "resolved" }), passerby).text, "Resolved");
    assert.equal(chipFor(question({ state: "stale" }), asker).text, "Closed for now");
    assert.equal(chipFor(question({ state: "stale" }), mia).text, "Closed: the asker went quiet");
  });

  it("has no chip for a state it does not know", () => {
    assert.equal(chipFor(question({ state: "archived" }), asker), null);
    assert.equal(chipFor(null, asker), null);
  });
});

describe("actionsFor", () => {
  it("lets the asker close an open question", () => {
    for (const state of ["waiting", "answered"]) {
      const buttons = actionsFor(question({ state }), asker);
      assert.deepEqual(verbs(buttons), ["resolve"]);
      assert.equal(buttons[0].text, "This answered my question");
    }
    assert.deepEqual(verbs(actionsFor({ ...claimedByMia() }, asker)), ["resolve"]);
  });

  it("lets the asker reopen a resolved or stale question", () => {
    for (const state of ["resolved", "stale"]) {
      const buttons = actionsFor(question({ state }), asker);
      assert.deepEqual(verbs(buttons), ["reopen"]);
      assert.equal(buttons[0].text, "Reopen");
    }
  });

  it("offers helpers I'm on it and Mark answered, naming the asker for screen readers", () => {
    const buttons = actionsFor(question(), mia);
    assert.deepEqual(
      buttons.map((b) => [b.action, b.text, b.label]),
      [
        ["claim", "I'm on it", "I'm on Nina's question"],
        ["resolve", "Mark answered", "Mark Nina's question answered"],
      ],
    );
    assert.deepEqual(verbs(actionsFor(question({ state: "answered" }), sam)), [
      "claim",
      "resolve",
    ]);
  });

  it("lets the claimer release, and nobody else claim over them", () => {
    assert.deepEqual(verbs(actionsFor(claimedByMia(), mia)), ["unclaim", "resolve"]);
    assert.deepEqual(verbs(actionsFor(claimedByMia(), sam)), ["resolve"]);
  });

  it("offers nothing to people who neither asked nor help, nor on a closed question", () => {
    assert.deepEqual(actionsFor(question(), passerby), []);
    assert.deepEqual(actionsFor(question({ state: "resolved" }), mia), []);
    assert.deepEqual(actionsFor(question(), null), []);
  });
});

describe("escalationFor", () => {
  it("tells the asker nothing more at first", () => {
    assert.equal(escalationFor(question({ step: 0 }), asker), null);
  });

  it("says who was asked, then offers help pages, then the hand-off", () => {
    assert.deepEqual(escalationFor(question({ step: 1 }), asker), {
      step: 1,
      text: "Still looking for someone — we have asked every helper who is online.",
      helpPages: false,
    });
    const second = escalationFor(question({ step: 2 }), asker);
    assert.equal(second.text, "Still looking for someone — meanwhile, these help pages may help.");
    assert.equal(second.helpPages, true);
    assert.match(
      escalationFor(question({ step: 3 }), asker).text,
      /^Nobody could answer here yet; your question will be passed to the wiki's help desk/,
    );
  });

  it("is only for the asker, and only while nobody has the question", () => {
    assert.equal(escalationFor(question({ step: 2 }), passerby), null);
    assert.equal(escalationFor(question({ step: 2 }), mia), null);
    assert.equal(escalationFor({ ...claimedByMia(), step: 2 }, asker), null);
    assert.equal(escalationFor(question({ state: "answered", step: 1 }), asker), null);
  });
});

describe("isNewer", () => {
  it("keeps the newer copy, the incoming one on a tie", () => {
    const old = question({ updated_at: "2026-03-10T09:00:00Z" });
    const later = question({ state: "claimed", updated_at: "2026-03-10T09:01:00Z" });
    assert.equal(isNewer(later, old), true);
    assert.equal(isNewer(old, later), false);
    assert.equal(isNewer(question(), old), true);
    assert.equal(isNewer(old, undefined), true);
  });
});

describe("currentQuestion", () => {
  it("is the asker's newest open question", () => {
    const older = question({ id: 1, asked_at: "2026-03-01T09:00:00Z", state: "resolved" });
    const open = question({ id: 2, asked_at: "2026-03-05T09:00:00Z" });
    const someoneElses = question({
      id: 3,
      asked_at: "2026-03-09T09:00:00Z",
      asker: { id: 9, username: "Zed", roles: [] },
    });
    assert.equal(currentQuestion([older, open, someoneElses], asker).id, 2);
    assert.equal(currentQuestion([older], asker), null);
  });
});

describe("isHelper", () => {
  it("knows mentors and moderators", () => {
    assert.equal(isHelper(mia), true);
    assert.equal(isHelper(sam), true);
    assert.equal(isHelper(asker), false);
    assert.equal(isHelper(null), false);
  });
});
