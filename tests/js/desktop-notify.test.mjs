import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  notificationContent,
  OPT_IN_KEY,
  optInState,
  readOptIn,
  shouldNotify,
  showDesktopNotification,
  writeOptIn,
} from "../../static/livechat/desktop-notify.js";
import { MemoryStorage } from "./fakes.mjs";

const ME = 7;

/** A notification as the `notification` frame carries it. */
function notification(extra = {}) {
  return {
    id: 31,
    kind: "reply",
    actor: { id: 3, username: "Mentor", roles: ["mentor"] },
    message: 420,
    excerpt: "Use the cite book template.",
    room: "help-desk",
    room_name: "Help desk",
    created_at: "2026-12-05T12:00:00Z",
    read: false,
    ...extra,
  };
}

const showable = { userId: ME, optedIn: true, permission: "granted", hidden: true };

describe("shouldNotify", () => {
  it("shows a new notification in a hidden tab of someone who opted in", () => {
    assert.equal(shouldNotify({ ...showable, notification: notification() }), true);
  });

  it("needs the opt-in and the browser's permission", () => {
    const n = notification();
    assert.equal(shouldNotify({ ...showable, notification: n, optedIn: false }), false);
    assert.equal(shouldNotify({ ...showable, notification: n, permission: "default" }), false);
    assert.equal(shouldNotify({ ...showable, notification: n, permission: "denied" }), false);
  });

  it("stays quiet while the tab is visible: the bell shows it", () => {
    assert.equal(shouldNotify({ ...showable, notification: notification(), hidden: false }), false);
  });

  it("never shows the person's own action, nor what is read already", () => {
    const own = notification({ actor: { id: ME, username: "Me", roles: [] } });
    assert.equal(shouldNotify({ ...showable, notification: own }), false);
    assert.equal(shouldNotify({ ...showable, notification: notification({ read: true }) }), false);
    assert.equal(shouldNotify({ ...showable, notification: null }), false);
  });
});

describe("notificationContent", () => {
  it("says who did what where, with the excerpt, and links to the message", () => {
    assert.deepEqual(notificationContent(notification()), {
      title: "Mentor replied to you in Help desk",
      body: "Use the cite book template.",
      tag: "livechat-notification-31",
      url: "/rooms/help-desk/#message-420",
    });
  });

  it("has a sentence for each kind, and one for kinds it does not know", () => {
    const title = (kind) => notificationContent(notification({ kind })).title;
    assert.equal(title("mention"), "Mentor mentioned you in Help desk");
    assert.equal(title("thanks"), "Mentor thanked you in Help desk");
    // The same sentences as the bell's (static/livechat/notification-text.js).
    assert.equal(title("question"), "Mentor is waiting for an answer in Help desk");
    assert.equal(title("claimed"), "Mentor is looking at your question in Help desk");
    assert.equal(title("resolved"), "Mentor marked your question in Help desk answered");
    assert.equal(title("reminder"), "Your question in Help desk has an answer. Did it help?");
    assert.equal(title("poll"), "Mentor: poll in Help desk");
  });

  it("copes with a missing actor, room name or excerpt", () => {
    const content = notificationContent(
      notification({ actor: null, room_name: undefined, excerpt: "", room: "a b" }),
    );
    assert.equal(content.title, "Someone replied to you in a b");
    assert.equal(content.body, "");
    assert.equal(content.url, "/rooms/a%20b/#message-420");
  });
});

describe("the opt-in", () => {
  it("is off until chosen, and remembered in the browser's storage", () => {
    const storage = new MemoryStorage();
    assert.equal(readOptIn(storage), false);
    writeOptIn(storage, true);
    assert.equal(storage.getItem(OPT_IN_KEY), "on");
    assert.equal(readOptIn(storage), true);
    writeOptIn(storage, false);
    assert.equal(readOptIn(storage), false);
  });

  it("survives a browser whose storage throws", () => {
    const broken = {
      getItem() {
        throw new Error("SecurityError");
      },
      setItem() {
        throw new Error("SecurityError");
      },
    };
    assert.equal(readOptIn(broken), false);
    assert.doesNotThrow(() => writeOptIn(broken, true));
    assert.equal(readOptIn(undefined), false);
  });

  it("tells the settings page what to offer", () => {
    assert.equal(optInState({ supported: false }), "unsupported");
    assert.equal(optInState({ supported: true, permission: "denied", optedIn: true }), "blocked");
    assert.equal(optInState({ supported: true, permission: "granted", optedIn: true }), "on");
    assert.equal(optInState({ supported: true, permission: "granted", optedIn: false }), "off");
    assert.equal(optInState({ supported: true, permission: "default", optedIn: true }), "off");
  });
});

describe("showDesktopNotification", () => {
  class FakeNotification {
    static permission = "granted";
    static shown = [];
    constructor(title, options) {
      this.title = title;
      this.options = options;
      this.closed = false;
      FakeNotification.shown.push(this);
    }
    close() {
      this.closed = true;
    }
  }

  function page({ hidden = true, optedIn = true } = {}) {
    const storage = new MemoryStorage();
    writeOptIn(storage, optedIn);
    const visited = [];
    return {
      doc: { visibilityState: hidden ? "hidden" : "visible" },
      storage,
      NotificationImpl: FakeNotification,
      win: { focus() {}, location: { assign: (url) => visited.push(url) } },
      visited,
    };
  }

  it("creates one notification, and a click opens the message", () => {
    FakeNotification.shown = [];
    const browser = page();
    const shown = showDesktopNotification(notification(), { userId: ME, ...browser });
    assert.equal(FakeNotification.shown.length, 1);
    assert.equal(shown.title, "Mentor replied to you in Help desk");
    assert.deepEqual(shown.options, {
      body: "Use the cite book template.",
      tag: "livechat-notification-31",
    });
    shown.onclick();
    assert.deepEqual(browser.visited, ["/rooms/help-desk/#message-420"]);
    assert.equal(shown.closed, true);
  });

  it("creates nothing when the pure decision says no, or without the API", () => {
    FakeNotification.shown = [];
    const show = (browser) => showDesktopNotification(notification(), { userId: ME, ...browser });
    assert.equal(show(page({ hidden: false })), null);
    assert.equal(show(page({ optedIn: false })), null);
    assert.equal(show({ ...page(), NotificationImpl: undefined }), null);
    assert.equal(FakeNotification.shown.length, 0);
  });
});
