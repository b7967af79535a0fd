// Desktop notifications: while the chat is open in a tab the person is not looking at, a
// `notification` frame becomes a notification of the operating system. Opt-in per browser
// (the settings page asks for the permission and remembers the choice in localStorage);
// the email covers the times when no tab is open at all.
//
// The decisions are pure functions (tested under node: tests/js/desktop-notify.test.mjs);
// showDesktopNotification, startDesktopNotifications and wireOptIn are the thin parts that
// touch the browser.

import { gettext, interpolate } from "./i18n.js";
import { notificationSentence } from "./notification-text.js";
import { storage } from "./storage.js";

/** localStorage key of the person's choice in this browser: "on", or anything else. */
export const OPT_IN_KEY = "livechat.desktopNotifications";

/** Whether a notification frame should become a desktop notification. */
export function shouldNotify({ notification, userId, optedIn, permission, hidden }) {
  if (!notification || notification.read) return false;
  if (!optedIn || permission !== "granted") return false;
  // A visible tab shows it already (the bell); only a hidden one needs the desktop.
  if (!hidden) return false;
  // Never for what the person did themselves (another tab of theirs, say).
  if (notification.actor && notification.actor.id === userId) return false;
  return true;
}


/** What the desktop notification says and where a click leads. The tag makes several
 * hidden tabs of the same person show it once: the browser replaces a notification with
 * the same tag instead of stacking another. */
export function notificationContent(notification) {
  const n = notification;
  const names = {
    actor: n.actor?.username || gettext("Someone"),
    room: n.room_name || n.room,
    kind: n.kind,
  };
  return {
    title: interpolate(notificationSentence(n.kind), names, true),
    body: n.excerpt || "",
    tag: `livechat-notification-${n.id}`,
    url: `/rooms/${encodeURIComponent(n.room)}/#message-${n.message}`,
  };
}

/** The settings page's state: "unsupported" (no Notification API), "blocked" (the
 * browser refuses: only its own settings can change that), "on" or "off". */
export function optInState({ supported, permission, optedIn }) {
  if (!supported) return "unsupported";
  if (permission === "denied") return "blocked";
  return optedIn && permission === "granted" ? "on" : "off";
}

export function readOptIn(storage) {
  try {
    return storage?.getItem(OPT_IN_KEY) === "on";
  } catch {
    return false; // storage disabled (private mode, a policy): not opted in
  }
}

export function writeOptIn(storage, on) {
  try {
    storage?.setItem(OPT_IN_KEY, on ? "on" : "off");
  } catch {
    // Storage disabled: the choice lasts as long as the page.
  }
}

function browser() {
  return {
    doc: globalThis.document,
    storage: storage("localStorage"),
    NotificationImpl: globalThis.Notification,
    win: globalThis.window,
  };
}

/** Show `notification` (the frame's object) on the desktop if shouldNotify says so;
 * returns the Notification shown, or null. */
export function showDesktopNotification(notification, { userId, ...injected } = {}) {
  const { doc, storage, NotificationImpl, win } = { ...browser(), ...injected };
  if (typeof NotificationImpl !== "function") return null;
  const show = shouldNotify({
    notification,
    userId,
    optedIn: readOptIn(storage),
    permission: NotificationImpl.permission,
    hidden: doc?.visibilityState === "hidden",
  });
  if (!show) return null;
  const content = notificationContent(notification);
  const shown = new NotificationImpl(content.title, { body: content.body, tag: content.tag });
  shown.onclick = () => {
    win?.focus();
    win?.location.assign(content.url);
    shown.close();
  };
  return shown;
}

/** On a page whose socket publishes its frames as `livechat:frame` events (room.js):
 * turn each `notification` frame into a desktop notification when it should be one. */
export function startDesktopNotifications({ userId }) {
  window.addEventListener("livechat:frame", (event) => {
    const frame = event.detail;
    if (frame?.type === "notification") showDesktopNotification(frame.notification, { userId });
  });
}

function statusText(state) {
  switch (state) {
    case "unsupported":
      return gettext("This browser cannot show desktop notifications.");
    case "blocked":
      return gettext("Notifications from this site are blocked in your browser's settings.");
    case "on":
      return gettext("Desktop notifications are on in this browser.");
    default:
      return gettext("Desktop notifications are off in this browser.");
  }
}

/** The settings page's opt-in: a status line and one button that asks the browser for
 * the permission (it must be asked from a click) and remembers the choice. */
export function wireOptIn(root, injected = {}) {
  if (!root) return;
  const { storage, NotificationImpl } = { ...browser(), ...injected };
  const status = root.querySelector("#desktop-notify-status");
  const button = root.querySelector("#desktop-notify-toggle");
  const state = () =>
    optInState({
      supported: typeof NotificationImpl === "function",
      permission: NotificationImpl?.permission,
      optedIn: readOptIn(storage),
    });
  const render = () => {
    const now = state();
    status.textContent = statusText(now);
    button.hidden = now === "unsupported" || now === "blocked";
    button.textContent =
      now === "on"
        ? gettext("Turn off desktop notifications")
        : gettext("Turn on desktop notifications");
  };
  button.addEventListener("click", async () => {
    if (state() === "on") {
      writeOptIn(storage, false);
    } else {
      const permission = await NotificationImpl.requestPermission();
      writeOptIn(storage, permission === "granted");
    }
    render();
  });
  render();
}
