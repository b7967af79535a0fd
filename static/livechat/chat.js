// The room page's entry point: reads the page's config, finds its elements and wires the
// room (room.js: socket, delivery, sending, history) to the page around it (room-ui.js:
// the message box, scrolling, read markers). Nothing else happens here.

import { startDesktopNotifications, wireOptIn } from "./desktop-notify.js";
import { wireEmbedEscape } from "./embed-escape.js";
import { roomReady } from "./extensions.js";
import { ChatRoom } from "./room.js";
import { RoomUI } from "./room-ui.js";

function pageElements() {
  const byId = (id) => document.getElementById(id);
  return {
    messages: byId("messages"),
    announce: byId("messages-announce"),
    outgoing: byId("outgoing"),
    scroller: byId("scroller"),
    status: byId("connection-status"),
    statusText: byId("connection-text"),
    statusDetail: byId("connection-detail"),
    retry: byId("retry-now"),
    loadOlder: byId("load-older"),
    historyStart: byId("history-start"),
    jumpNew: byId("jump-new"),
    typing: byId("typing"),
    composer: byId("composer"),
    input: byId("composer-input"),
    counter: byId("composer-count"),
    composerError: byId("composer-error"),
    refusal: byId("composer-refusal"),
    refusalText: byId("composer-refusal-text"),
    refusalDismiss: byId("composer-refusal-dismiss"),
    onlineList: byId("online-list"),
    onlineCount: byId("online-count"),
  };
}

function boot() {
  const config = JSON.parse(document.getElementById("chat-config").textContent);
  const dom = pageElements();
  const room = new ChatRoom(config, dom);
  // The box and the reading position come first: the composer's keydown listener must be
  // registered before the box's Enter-sends one, so an open completion list sees Enter.
  const ui = new RoomUI(room, config, dom);
  room.attach(ui);
  ui.start();
  roomReady(room); // other apps' page scripts (extensions.js), before the socket opens
  // `notification` frames while the tab is hidden, for people who opted in (the room's
  // menu; the widget has none: an iframe on the wiki may not ask for the permission).
  startDesktopNotifications({ userId: config.user.id });
  wireOptIn(document.getElementById("desktop-notify"));
  room.start();
  if (config.embedded) wireEmbedEscape();

  // The one global: a debug hook for the browser console and the browser tests.
  window.__chat = {
    room,
    get socket() {
      return room.connection.socket;
    },
    get lastEventId() {
      return room.lastEventId;
    },
    get live() {
      return room.live;
    },
  };
}

boot();
