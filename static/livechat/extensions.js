// Where other apps' scripts plug into the room page, the way their frames, routes and
// event kinds plug into the server: livechat never names them (docs/architecture.md).
//
//  * event kinds: the room's log carries kinds livechat does not know (the help desk's
//    `question.*`); delivery.js applies them, in order, through the handler registered
//    here. A kind nobody registered only moves the position on, as before.
//  * message parts: a piece of DOM under a message's body (a question's state chip),
//    rendered with the message, so that it survives every re-render and its controls
//    keep focus (give them a `data-focus` key, as message-view.js does).
//  * the room: a callback gets the page's ChatRoom once it exists (to send frames,
//    re-render a message, read who the user is).
//
// Scripts that register load before chat.js (room.html), so that nothing they handle can
// arrive before them; onRoom() works in either order all the same.

const kindHandlers = new Map(); // kind -> (event) => true when it brought a new message
const messageParts = []; // (message, timeline) => Node | null
const roomCallbacks = [];
let currentRoom = null;

/** Apply events of `kinds` with `handler(event)`. A kind has one handler: the first
 * registered keeps it, a second is reported to the developer and ignored. */
export function registerEventKinds(kinds, handler) {
  for (const kind of kinds) {
    if (kindHandlers.has(kind)) {
      console.error("livechat: this event kind already has a handler", kind);
      continue;
    }
    kindHandlers.set(kind, handler);
  }
}

/** The registered handler for `kind`, or undefined (delivery.js's `handlerFor`). */
export function handlerFor(kind) {
  return kindHandlers.get(kind);
}

/** Add `render(message, timeline)` to every message's rendering; it returns a node to
 * put under the body, or null. It runs on every render, so it must be cheap. */
export function registerMessagePart(render) {
  messageParts.push(render);
}

/** The registered parts for `message`, in registration order (message-view.js). A part
 * that throws is reported and left out: one app's bug must not hide the message. */
export function renderMessageParts(message, timeline) {
  const nodes = [];
  for (const render of messageParts) {
    try {
      const node = render(message, timeline);
      if (node) nodes.push(node);
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }
  return nodes;
}

/** Call `callback(room)` with the page's ChatRoom: now if it exists, else once it does. */
export function onRoom(callback) {
  if (currentRoom) callback(currentRoom);
  else roomCallbacks.push(callback);
}

/** chat.js: the room exists (before its socket opens). */
export function roomReady(room) {
  currentRoom = room;
  for (const callback of roomCallbacks.splice(0)) callback(room);
}
