// The room page: history over the JSON API, live updates over the room socket
// (docs/api.md, "Wire contract, v1").
//
// Delivery rules, in short:
//  * Every change of the room is an event with a per-room id 1, 2, 3, … . The page
//    applies events strictly in id order: one it already has is ignored, one past a gap
//    is held back while the missing ones are asked for (`resume`), and applied after.
//  * On the first hello the page remembers the room's newest event id and loads the
//    latest history; events that arrive meanwhile wait until the history is in.
//  * On every later hello (a reconnect) it asks for everything after the last event it
//    applied. `resync` (those events are gone) starts over as if the page were new.
//  * What the user sends carries a client_id and stays queued (in memory and in
//    sessionStorage) until the server acknowledges it; the server stores a client_id at
//    most once, so after any doubt the whole queue is simply sent again.
//  * A send the server refuses (an `error` with its client_id) leaves the queue and is
//    shown with the reason and what can be done: wait out a rate limit, send a warned
//    text anyway, edit it. A block also puts the text back into the message box.

import { Connection } from "./connection.js";
import { el, fetchJSON, roleBadges } from "./dom.js";
import { Outbox } from "./outbox.js";
import { Timeline } from "./timeline.js";
import { Composer } from "./composer.js";
import { Reading } from "./scroll.js";

const HISTORY_PAGE_SIZE = 50;
const TYPING_SEND_EVERY_MS = 2000; // send `typing` at most this often
const TYPING_SHOW_MS = 4000; // how long "X is typing…" stays up
const GAP_FALLBACK_MS = 4000; // a gap still open this long is filled over HTTP
const POLL_AFTER_MS = 10000; // socket down this long: start polling the events API
const POLL_EVERY_MS = 5000;
const READ_DEBOUNCE_MS = 1000;
const NEAR_BOTTOM_PX = 80;

class ChatRoom {
  constructor(config, dom) {
    this.config = config;
    this.me = config.user;
    this.slug = config.room.slug;
    this.api = `/api/rooms/${encodeURIComponent(this.slug)}`;
    this.dom = dom;

    // -- delivery state --
    this.lastEventId = null; // the newest event applied; null until the first hello
    this.historyState = "idle"; // "idle" | "loading" | "ready"
    this.preHistory = []; // events that arrived while the history was loading
    this.held = new Map(); // event id -> event that arrived past a gap
    this.resumeAskedAfter = null; // the lastEventId we last sent `resume` for, per socket
    this.generation = 0; // bumped by resync, so stale HTTP answers are dropped
    this.live = false; // the current socket has said hello
    this.helloSeenEver = false;
    this.failedConnects = 0; // closes without a hello, in a row
    this.disconnectedSince = null;
    this.gapTimer = null; // the HTTP fallback for a gap resume did not fill
    this.pollTimer = null; // the polling fallback while the socket is down
    this.fetchingEvents = false;
    this.loadingOlder = false;

    // -- sending state --
    this.outbox = new Outbox(`livechat:outbox:${this.slug}:${this.me.id}`);
    this.pending = new Map(); // client_id -> entry shown in the "being sent" list

    // -- ephemeral UI state --
    this.typers = new Map(); // username -> timer
    this.lastTypingSent = 0;
    this.lastReadSent = config.lastReadMessageId || 0;
    this.readTimer = null;
    this.statusTicker = null;

    this.timeline = new Timeline({
      list: dom.messages,
      outgoing: dom.outgoing,
      me: this.me,
      emoji: config.emoji || [],
      shortcodes: config.shortcodes || {},
      actions: {
        react: (id, emoji) => this.react(id, emoji),
        edit: (id, body, base) =>
          this.send({ type: "message.edit", message_id: id, body, base_revision: base }),
        moderate: (id, kind, reason) =>
          this.send({ type: `message.${kind}`, message_id: id, reason }),
        report: (id, reason) => this.send({ type: "message.report", message_id: id, reason }),
        retry: (clientId) => this.retry(clientId),
        discard: (clientId) => this.discard(clientId),
        sendAnyway: (clientId) => this.sendAnyway(clientId),
        reuseDraft: (clientId) => this.reuseDraft(clientId),
        reply: (id) => this.composer.setReply(this.timeline.messages.get(id)),
        thank: (id) => this.send({ type: "thanks", message_id: id }),
      },
    });

    // The message box's helpers (composer.js): counter, reply, emoji, completion. Built
    // before bindComposer() so that an open completion list sees Enter first.
    this.composer = new Composer({
      form: dom.composer,
      input: dom.input,
      counter: dom.counter,
      config,
      onEditLast: () => this.timeline.editLast(),
    });

    // What the reader has seen (read frames), the "New" divider, this room's unread count.
    this.reading = new Reading({
      scroller: dom.scroller,
      list: dom.messages,
      older: dom.loadOlder,
      me: this.me,
      room: this.slug,
      lastReadId: config.lastReadMessageId ?? null,
      messageOf: (id) => this.timeline.messages.get(id),
      onSeen: () => this.scheduleRead(),
      loadOlder: () => this.loadOlder(),
    });

    const scheme = location.protocol === "https:" ? "wss" : "ws";
    this.connection = new Connection(
      `${scheme}://${location.host}/ws/rooms/${encodeURIComponent(this.slug)}/`,
      {
        onFrame: (frame) => this.onFrame(frame),
        onOpen: () => {
          this.resumeAskedAfter = null;
        },
        onClose: () => this.onClose(),
        onState: (state) => {
          if (state === "connecting" && !this.live) this.showStatus();
        },
      },
    );
  }

  start() {
    this.bindComposer();
    this.bindPage();
    // Messages queued before a reload of this tab are shown at once and sent on hello.
    for (const entry of this.outbox.all()) {
      this.pending.set(entry.clientId, entry);
      this.timeline.showPending(entry, "queued");
    }
    this.showStatus();
    this.connection.start();
  }

  // -- frames from the server ----------------------------------------------------------------

  onFrame(frame) {
    // The side panel, the bell and other page parts follow the socket through this event.
    window.dispatchEvent(new CustomEvent("livechat:frame", { detail: frame }));
    switch (frame.type) {
      case "hello":
        return this.onHello(frame);
      case "event":
        return this.onEvent(frame);
      case "ack":
        return this.onAck(frame);
      case "error":
        return this.onError(frame);
      case "presence":
        return this.renderOnline(frame.online || []);
      case "typing":
        return this.showTyping(frame.user);
      case "resync":
        return this.resync();
      case "reported":
        return this.timeline.promptDone(
          frame.message_id,
          "Reported — moderators will look at it.",
        );
      case "thanked":
        return this.timeline.thanked(frame.message_id);
      case "read": // another tab of ours read this far
        return frame.room === this.slug ? this.reading.readElsewhere(frame.message_id) : undefined;
      default:
        return undefined; // frames from later versions (notification, …) are ignored
    }
  }

  onHello(frame) {
    this.live = true;
    this.helloSeenEver = true;
    this.failedConnects = 0;
    this.disconnectedSince = null;
    this.stopPolling();
    this.connection.markHealthy();
    this.renderOnline(frame.online || []);

    if (this.lastEventId === null) {
      // First connect (or after resync): history covers everything up to this id, the
      // socket everything after it.
      this.lastEventId = frame.last_event_id;
      this.loadHistory();
    } else {
      // A reconnect: ask for what happened while we were away. The server replays it
      // in order, and sends `resync` if it is no longer in the log.
      this.requestResume({ force: true });
    }
    this.timeline.releaseSavingEdits();
    this.timeline.releaseSendingPrompts();
    this.flushOutbox();
    this.showStatus();
    this.scheduleRead();
  }

  onEvent(frame) {
    if (!Number.isInteger(frame.event_id) || !frame.message) return;
    if (this.historyState !== "ready") {
      this.preHistory.push(frame);
      return;
    }
    this.acceptEvents([frame]);
  }

  /** Take events (from the socket, a replay, or the events API) and apply every one
   * that is next in line. */
  acceptEvents(events) {
    const stick = this.nearBottom();
    let newMessage = false;
    for (const event of events) {
      if (event.event_id > this.lastEventId) this.held.set(event.event_id, event);
    }
    while (this.held.has(this.lastEventId + 1)) {
      const event = this.held.get(this.lastEventId + 1);
      this.held.delete(event.event_id);
      this.lastEventId = event.event_id;
      newMessage = this.applyEvent(event) || newMessage;
    }
    for (const id of this.held.keys()) if (id <= this.lastEventId) this.held.delete(id);

    if (this.held.size > 0) this.onGap();
    else this.clearGapTimer();
    if (newMessage) this.afterNewMessages(stick);
  }

  /** Returns true when the event brought a message new to this page. */
  applyEvent(event) {
    const message = event.message;
    const created = this.timeline.upsert(message);
    this.messageArrived(message);
    if (event.kind === "message.created") this.clearTyping(message.author.username);
    return created;
  }

  /** A message is on the page: if it is one of ours still shown as pending, it is done. */
  messageArrived(message) {
    const clientId = message.client_id;
    if (!clientId || message.author.id !== this.me.id) return;
    this.outbox.remove(clientId);
    if (this.pending.delete(clientId)) this.timeline.removePending(clientId);
  }

  /** Events are missing before some we hold: ask the server to replay them. If that does
   * not fill the gap soon, fetch them over HTTP. */
  onGap() {
    this.requestResume({ force: false });
    if (this.gapTimer) return;
    this.gapTimer = setTimeout(() => {
      this.gapTimer = null;
      if (this.held.size > 0) this.fetchEvents();
    }, GAP_FALLBACK_MS);
  }

  clearGapTimer() {
    clearTimeout(this.gapTimer);
    this.gapTimer = null;
  }

  requestResume({ force }) {
    if (!this.live || this.lastEventId === null) return;
    if (!force && this.resumeAskedAfter === this.lastEventId) return; // already asked
    this.resumeAskedAfter = this.lastEventId;
    this.connection.send({ type: "resume", after_event_id: this.lastEventId });
  }

  /** The events asked for are gone from the log: start over, as on a fresh page. */
  resync() {
    this.generation += 1;
    this.lastEventId = null;
    this.historyState = "idle";
    this.preHistory = [];
    this.held.clear();
    this.clearGapTimer();
    this.timeline.clear();
    this.setHistoryControls(false, false);
    this.live = false;
    this.showStatus("Reloading the conversation…");
    this.connection.reconnectNow();
  }

  onAck(frame) {
    const entry = this.pending.get(frame.client_id);
    this.outbox.remove(frame.client_id);
    if (!entry) return;
    this.hideRefusal(); // whatever stopped us before (a block) no longer does
    const covered =
      this.timeline.messages.has(frame.message_id) ||
      // A repeat of a message sent long ago: its event is behind us (in the history, or
      // older than the page loaded), so no event will come to replace the pending copy.
      (this.lastEventId !== null && frame.event_id <= this.lastEventId);
    if (covered) {
      this.pending.delete(frame.client_id);
      this.timeline.removePending(frame.client_id);
    } else {
      this.timeline.showPending(entry, "sent"); // its event follows
    }
  }

  onError(frame) {
    const detail = frame.detail || "Something went wrong.";
    // A block refuses every write (send, edit, reaction, report) until it ends: say so
    // next to the message box, whatever was refused, and keep saying it.
    if (frame.code === "blocked") this.showRefusal(detail);
    if (this.timeline.thankFailed(frame.message_id, frame.code, detail)) return;
    const entry = frame.client_id ? this.pending.get(frame.client_id) : null;
    if (entry) {
      this.sendRefused(entry, frame, detail);
      return;
    }
    const id = frame.message_id;
    if (Number.isInteger(id) && this.timeline.messages.has(id)) {
      // An edit's conflict carries the current revision; a report's ("already
      // reported") does not, and goes to the reason form with the other moderation answers.
      if (frame.code === "conflict" && frame.current_revision !== undefined) {
        this.timeline.editConflict(id, frame.current_revision, frame.message, detail);
        return;
      }
      if (this.timeline.promptFailed(id, frame.code, detail)) return;
      if (frame.code === "conflict") {
        this.timeline.editConflict(id, frame.current_revision, frame.message, detail);
        return;
      }
      if (this.timeline.edits.get(id)?.saving) {
        this.timeline.editFailed(id, detail);
        return;
      }
      if (this.timeline.showError(id, detail)) return;
    }
    if (frame.code !== "blocked") this.showComposerError(detail);
  }

  /** A send was refused. It is not retried by itself (a block or a filter would refuse
   * it again): a blocked text goes back into the message box when that is empty, anything
   * else stays in the list with the reason and what can be done. */
  sendRefused(entry, frame, detail) {
    const stick = this.nearBottom();
    this.outbox.remove(entry.clientId);
    if (frame.code === "blocked" && !this.dom.input.value.trim()) {
      this.discard(entry.clientId);
      this.dom.input.value = entry.body;
      this.updateCounter();
      return;
    }
    this.timeline.showPending(entry, "failed", detail, frame);
    if (stick) this.scrollToBottom();
  }

  /** The prominent notice above the message box (a block: its reason and expiry). */
  showRefusal(text) {
    this.dom.refusalText.textContent = text;
    this.dom.refusal.hidden = false;
  }

  hideRefusal() {
    if (this.dom.refusal.hidden) return;
    this.dom.refusal.hidden = true;
    this.dom.refusalText.textContent = "";
  }

  // -- the socket's life ---------------------------------------------------------------------

  onClose() {
    const hadHello = this.live;
    this.live = false;
    this.disconnectedSince ??= Date.now();
    if (!hadHello) this.failedConnects += 1;
    // Unsent messages were written into a socket that is gone: they are resent on hello.
    for (const entry of this.outbox.all()) this.timeline.showPending(entry, "queued");
    this.showStatus();
    this.startPollingSoon();
    // A handshake the server refuses looks like any network failure to a browser. After
    // a few, ask the API whether we are still signed in and the room still exists.
    if (this.failedConnects >= 3 && this.failedConnects % 3 === 0) this.probeAccess();
  }

  async probeAccess() {
    try {
      await fetchJSON(`${this.api}/messages/?limit=1`);
    } catch (error) {
      if (error.status === 403) this.stopFor("You are signed out.", { signIn: true });
      else if (error.status === 404) this.stopFor("This room no longer exists.");
    }
  }

  /** Give up reconnecting, for a reason retrying cannot fix. */
  stopFor(text, { signIn = false } = {}) {
    this.connection.stop();
    this.stopPolling();
    this.live = false;
    clearInterval(this.statusTicker);
    this.dom.status.dataset.state = "ended";
    this.setStatusText(text, "");
    this.dom.retry.hidden = true;
    if (signIn) {
      const href = `/accounts/login/?next=${encodeURIComponent(location.pathname)}`;
      this.dom.statusDetail.append(el("a", { href }, "Sign in again"));
    }
  }

  /** The connection banner. Hidden while live; otherwise says what is going on. */
  showStatus(text = null) {
    clearInterval(this.statusTicker);
    const { status, retry } = this.dom;
    if (this.live && !text) {
      status.dataset.state = "live";
      this.setStatusText("Connected.", "");
      retry.hidden = true;
      return;
    }
    if (text || !this.helloSeenEver) {
      status.dataset.state = "connecting";
      retry.hidden = !this.connection.waiting;
    } else {
      status.dataset.state = "reconnecting";
      retry.hidden = false;
    }
    const render = () => {
      let sentence = text;
      if (!sentence) {
        const verb = this.helloSeenEver ? "Reconnecting…" : "Connecting…";
        sentence = navigator.onLine === false ? `You are offline. ${verb}` : verb;
      }
      const details = [];
      if (this.connection.waiting) {
        const seconds = Math.ceil((this.connection.retryAt - Date.now()) / 1000);
        if (seconds > 0) details.push(`Next try in ${seconds} s.`);
      }
      const queued = this.outbox.all().length;
      if (queued) details.push(`${queued} message${queued === 1 ? "" : "s"} will be sent then.`);
      const downFor = this.disconnectedSince ? Date.now() - this.disconnectedSince : 0;
      if (this.pollTimer && downFor > POLL_AFTER_MS) {
        details.push("Checking for new messages every few seconds.");
      }
      this.setStatusText(sentence, details.join(" "));
    };
    render();
    this.statusTicker = setInterval(render, 1000);
  }

  /** Only touch the live region when its sentence changes, so it is announced once. */
  setStatusText(sentence, detail) {
    const { statusText, statusDetail } = this.dom;
    if (statusText.textContent !== sentence) statusText.textContent = sentence;
    statusDetail.textContent = detail;
  }

  // -- history -------------------------------------------------------------------------------

  async loadHistory() {
    const generation = this.generation;
    this.historyState = "loading";
    this.dom.messages.setAttribute("aria-busy", "true");
    let data;
    try {
      data = await fetchJSON(`${this.api}/messages/?limit=${HISTORY_PAGE_SIZE}`);
    } catch (error) {
      if (generation !== this.generation) return;
      if (error.status === 403 || error.status === 404) {
        this.probeAccess();
        return;
      }
      this.historyState = "idle";
      this.showComposerError("Could not load the messages; trying again…");
      setTimeout(() => {
        if (generation === this.generation && this.historyState === "idle") this.loadHistory();
      }, 3000);
      return;
    }
    if (generation !== this.generation) return; // a resync started over meanwhile

    this.rememberThanks(data.thanked);
    for (const message of data.messages) {
      this.timeline.upsert(message);
      this.messageArrived(message);
    }
    this.setHistoryControls(data.has_more, true);
    this.historyState = "ready";
    this.dom.messages.setAttribute("aria-busy", "false");
    this.clearComposerError();

    // Events that came in while the history loaded: some are already reflected in it,
    // which is harmless (a message is replaced by id), and they are applied in order.
    const buffered = this.preHistory;
    this.preHistory = [];
    this.acceptEvents(buffered);
    if (!this.reading.enter()) this.scrollToBottom();
    this.scheduleRead(0);
  }

  async loadOlder() {
    const before = this.timeline.oldestId;
    if (before === null || this.loadingOlder) return;
    this.loadingOlder = true;
    this.dom.loadOlder.disabled = true;
    const generation = this.generation;
    try {
      const data = await fetchJSON(
        `${this.api}/messages/?before=${before}&limit=${HISTORY_PAGE_SIZE}`,
      );
      if (generation !== this.generation) return;
      this.rememberThanks(data.thanked);
      const { scroller } = this.dom;
      const fromBottom = scroller.scrollHeight - scroller.scrollTop;
      // Newest first, so that each lands at the top of the list without a search.
      for (const message of [...data.messages].reverse()) {
        // A message already shown came from a live event and is at least as new.
        if (!this.timeline.messages.has(message.id)) this.timeline.upsert(message);
      }
      scroller.scrollTop = scroller.scrollHeight - fromBottom; // keep the reader's place
      this.setHistoryControls(data.has_more, true);
    } catch (error) {
      this.showComposerError(error.message || "Could not load older messages.");
    } finally {
      this.loadingOlder = false;
      this.dom.loadOlder.disabled = false;
    }
  }

  /** The history says which of its messages this person already thanked. */
  rememberThanks(ids = []) {
    for (const id of ids) this.timeline.thanks.set(id, "done");
  }

  setHistoryControls(hasMore, loaded) {
    this.dom.loadOlder.hidden = !hasMore;
    this.dom.historyStart.hidden = !loaded || hasMore;
  }

  /** Events after lastEventId over HTTP: the gap fallback and the polling mode. */
  async fetchEvents() {
    if (this.fetchingEvents || this.historyState !== "ready") return;
    this.fetchingEvents = true;
    const generation = this.generation;
    try {
      for (;;) {
        const data = await fetchJSON(`${this.api}/events/?after=${this.lastEventId}`);
        if (generation !== this.generation) return;
        this.acceptEvents(data.events);
        if (!data.has_more || data.events.length === 0) break;
      }
    } catch (error) {
      if (error.code === "resync" || error.status === 410) this.resync();
      else if (error.status === 403 || error.status === 404) this.probeAccess();
      // Anything else (network down): the next poll or reconnect tries again.
    } finally {
      this.fetchingEvents = false;
    }
  }

  // -- polling fallback ----------------------------------------------------------------------
  // While the socket stays down (a proxy that blocks WebSockets, a flaky network), read
  // the room from the events API and send queued messages with POST. Both are safe to
  // overlap with the socket coming back: events are applied by id, sends dedupe by
  // client_id.

  startPollingSoon() {
    if (this.pollTimer) return;
    this.pollTimer = setTimeout(() => this.poll(), POLL_AFTER_MS);
  }

  stopPolling() {
    clearTimeout(this.pollTimer);
    this.pollTimer = null;
  }

  async poll() {
    if (this.live) {
      this.pollTimer = null;
      return;
    }
    try {
      if (this.lastEventId === null) await this.firstLoadOverHttp();
      else await this.fetchEvents();
      await this.sendOutboxOverHttp();
    } finally {
      if (!this.live && !this.connection.stopped) {
        this.pollTimer = setTimeout(() => this.poll(), POLL_EVERY_MS);
      } else {
        this.pollTimer = null;
      }
    }
  }

  /** The first load without a socket: the room's newest event id from the room list,
   * then the history. Events after that id are then polled. */
  async firstLoadOverHttp() {
    if (this.historyState !== "idle") return;
    try {
      const data = await fetchJSON("/api/rooms/");
      const room = data.rooms.find((r) => r.slug === this.slug);
      if (!room || this.lastEventId !== null || this.live) return;
      this.lastEventId = room.last_event_id;
      await this.loadHistory();
    } catch {
      // Still offline; the next poll tries again.
    }
  }

  async sendOutboxOverHttp() {
    for (const entry of this.outbox.all()) {
      if (this.live) return; // the socket is back and resends the queue itself
      try {
        const message = await fetchJSON(`${this.api}/messages/`, {
          method: "POST",
          body: { body: entry.body, client_id: entry.clientId, reply_to: entry.replyTo },
        });
        this.onAck({ client_id: entry.clientId, message_id: message.id });
      } catch (error) {
        if (error.status && error.status < 500 && error.body?.code) {
          this.onError({ ...error.body, client_id: entry.clientId });
        } else {
          return; // network trouble: keep the queue for later
        }
      }
    }
  }

  // -- sending -------------------------------------------------------------------------------

  /** Send a frame on a socket that has said hello; false if there is none. */
  send(frame) {
    return this.live && this.connection.send(frame);
  }

  sendMessage(body, replyTo = null) {
    const entry = this.outbox.add(body, undefined, replyTo);
    this.pending.set(entry.clientId, entry);
    this.sendEntry(entry);
    this.scrollToBottom();
  }

  sendEntry(entry) {
    const frame = { type: "message.send", body: entry.body, client_id: entry.clientId };
    if (entry.replyTo) frame.reply_to = entry.replyTo;
    const sent = this.send(frame);
    this.timeline.showPending(entry, sent ? "sending" : "queued");
    if (!sent) this.showStatus();
  }

  /** On every hello: send whatever the server has not acknowledged, with the same
   * client_id as before (the server answers a repeat with the first message's ack). */
  flushOutbox() {
    for (const entry of this.outbox.all()) this.sendEntry(entry);
  }

  retry(clientId) {
    const entry = this.pending.get(clientId);
    if (!entry) return;
    this.outbox.add(entry.body, clientId, entry.replyTo);
    this.sendEntry(entry);
  }

  /** A filter warned about this text: send the same text again. The refused send stored
   * nothing, so its client_id would do as well; a fresh one keeps "one client_id, one
   * attempt the user made" simple. The server lets the same text through this time. */
  sendAnyway(clientId) {
    const entry = this.pending.get(clientId);
    if (!entry) return;
    this.discard(clientId);
    this.sendMessage(entry.body, entry.replyTo);
  }

  /** Put a refused text back into the message box (after what is there already). */
  reuseDraft(clientId) {
    const entry = this.pending.get(clientId);
    if (!entry) return;
    this.discard(clientId);
    const { input } = this.dom;
    input.value = input.value.trim() ? `${input.value.trimEnd()}\n${entry.body}` : entry.body;
    this.updateCounter();
    input.focus();
  }

  discard(clientId) {
    this.outbox.remove(clientId);
    this.pending.delete(clientId);
    this.timeline.removePending(clientId);
  }

  react(id, emoji) {
    if (!this.send({ type: "reaction.toggle", message_id: id, emoji })) {
      this.timeline.showError(id, "You are offline; try again when the connection is back.");
    }
  }

  // -- composer ------------------------------------------------------------------------------

  bindComposer() {
    const { composer, input } = this.dom;
    composer.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submitComposer();
    });
    input.addEventListener("keydown", (event) => {
      // Enter sends, Shift+Enter is a new line; never while an IME is composing.
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submitComposer();
      }
    });
    input.addEventListener("input", () => {
      this.updateCounter();
      if (input.value.trim()) this.maybeSendTyping();
    });
  }

  submitComposer() {
    const { input } = this.dom;
    const body = input.value.trim();
    if (!body) return;
    const limit = this.config.maxLength;
    if (limit && body.length > limit) {
      this.showComposerError(
        `The message is ${body.length} characters long; the limit is ${limit}.`,
      );
      return;
    }
    this.clearComposerError();
    input.value = "";
    this.updateCounter();
    this.sendMessage(body, this.composer.takeReply());
  }

  updateCounter() {
    this.composer.updateCounter();
  }

  maybeSendTyping() {
    const now = Date.now();
    if (now - this.lastTypingSent < TYPING_SEND_EVERY_MS) return;
    if (this.send({ type: "typing" })) this.lastTypingSent = now;
  }

  showComposerError(text) {
    this.dom.composerError.textContent = text;
  }

  clearComposerError() {
    this.dom.composerError.textContent = "";
  }

  // -- presence, typing, read markers ----------------------------------------------------

  renderOnline(users) {
    const items = users.map((user) =>
      el(
        "li",
        { class: "online-user" },
        el("span", { class: "online-name" }, user.username),
        roleBadges(user.roles),
        user.id === this.me.id ? el("span", { class: "muted" }, " (you)") : null,
      ),
    );
    this.dom.onlineList.replaceChildren(...items);
    this.dom.onlineCount.textContent = `(${users.length})`;
  }

  showTyping(user) {
    if (!user || user.id === this.me.id) return;
    clearTimeout(this.typers.get(user.username));
    this.typers.set(
      user.username,
      setTimeout(() => this.clearTyping(user.username), TYPING_SHOW_MS),
    );
    this.renderTyping();
  }

  clearTyping(username) {
    if (!this.typers.has(username)) return;
    clearTimeout(this.typers.get(username));
    this.typers.delete(username);
    this.renderTyping();
  }

  renderTyping() {
    const names = [...this.typers.keys()];
    let text = "";
    if (names.length === 1) text = `${names[0]} is typing…`;
    else if (names.length === 2) text = `${names[0]} and ${names[1]} are typing…`;
    else if (names.length > 2) text = "Several people are typing…";
    this.dom.typing.textContent = text;
  }

  /** Tell the server the newest message this user has seen, when the page is visible;
   * live messages are batched for a moment, a freshly loaded history is read at once. */
  scheduleRead(delay = READ_DEBOUNCE_MS) {
    clearTimeout(this.readTimer);
    this.readTimer = setTimeout(() => this.sendRead(), delay);
  }

  sendRead() {
    clearTimeout(this.readTimer);
    if (document.visibilityState !== "visible") return;
    const newest = this.reading.seenId; // on screen while the page was visible
    if (newest && newest > this.lastReadSent && this.send({ type: "read", message_id: newest })) {
      this.lastReadSent = newest;
    }
  }

  // -- scrolling and page events ---------------------------------------------------------

  nearBottom() {
    const { scroller } = this.dom;
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < NEAR_BOTTOM_PX;
  }

  scrollToBottom() {
    this.dom.scroller.scrollTop = this.dom.scroller.scrollHeight;
    this.dom.jumpNew.hidden = true;
  }

  afterNewMessages(stick) {
    if (stick) this.scrollToBottom();
    else this.dom.jumpNew.hidden = false;
    this.scheduleRead();
  }

  bindPage() {
    const { scroller, jumpNew, loadOlder, retry } = this.dom;
    loadOlder.addEventListener("click", () => this.loadOlder());
    jumpNew.addEventListener("click", () => this.scrollToBottom());
    retry.addEventListener("click", () => this.connection.reconnectNow());
    this.dom.refusalDismiss.addEventListener("click", () => {
      this.hideRefusal();
      this.dom.input.focus();
    });
    scroller.addEventListener("scroll", () => {
      if (this.nearBottom()) jumpNew.hidden = true;
    });
    // Coming back (network or tab) is a good moment to retry without waiting.
    window.addEventListener("online", () => {
      if (!this.live) this.connection.reconnectNow();
    });
    // Leaving the page: what was seen in the last moment still counts as read.
    window.addEventListener("pagehide", () => this.sendRead());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState !== "visible") return;
      if (!this.live && this.connection.waiting) this.connection.reconnectNow();
      this.scheduleRead();
    });
  }
}

function boot() {
  const config = JSON.parse(document.getElementById("chat-config").textContent);
  const byId = (id) => document.getElementById(id);
  const room = new ChatRoom(config, {
    messages: byId("messages"),
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
  });
  room.start();

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
