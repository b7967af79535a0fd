// The room page's wiring: the socket's frames go to the module that owns them. Delivery
// order and gaps are delivery.js, sends and their acks sending.js, the message list
// timeline.js, HTTP loading history.js, the banner status.js (docs/api.md, "Wire contract").
//
// The socket's life, in short: the first hello starts from the room's newest event and
// loads the history; every later hello asks for what was missed (`resume`) and resends
// the unacknowledged queue; `resync` starts over as on a fresh page. While the socket
// stays down the page polls the events API and posts its queue.

import { MessageAnnouncer } from "./announcer.js";
import { socketUrl } from "./auth.js";
import { Connection } from "./connection.js";
import { Delivery } from "./delivery.js";
import { fetchJSON } from "./dom.js";
import { handlerFor } from "./extensions.js";
import { History } from "./history.js";
import { gettext } from "./i18n.js";
import { Outbox } from "./outbox.js";
import { OutgoingList } from "./outgoing.js";
import { Poller, POLL_AFTER_MS } from "./polling.js";
import { Presence } from "./presence.js";
import { Sender } from "./sending.js";
import { storage } from "./storage.js";
import { ConnectionStatus } from "./status.js";
import { Timeline } from "./timeline.js";

const MESSAGE_KINDS = [
  "message.created",
  "message.edited",
  "message.hidden",
  "message.unhidden",
  "reaction.changed",
];

export class ChatRoom {
  constructor(config, dom) {
    this.config = config;
    this.me = config.user;
    this.slug = config.room.slug;
    this.api = `/api/rooms/${encodeURIComponent(this.slug)}`;
    this.dom = dom;
    this.live = false; // the current socket has said hello
    this.helloSeenEver = false;
    this.failedConnects = 0; // closes without a hello, in a row
    this.disconnectedSince = null;
    this.ui = null; // the message box and reading (room-ui.js), set by attach()

    this.timeline = new Timeline({
      list: dom.messages,
      clocks: [dom.outgoing],
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
        reply: (id) => this.ui?.reply(this.timeline.messages.get(id)),
        thank: (id) => this.send({ type: "thanks", message_id: id }),
      },
    });
    this.outgoing = new OutgoingList(dom.outgoing, this.me, {
      retry: (clientId) => this.sender.retry(clientId),
      discard: (clientId) => this.sender.discard(clientId),
      sendAnyway: (clientId) => {
        this.sender.sendAnyway(clientId);
        this.ui?.scrollToBottom();
      },
      reuseDraft: (clientId) => this.ui?.reuseDraft(this.sender.take(clientId)),
    });
    this.sender = new Sender({
      outbox: new Outbox(`livechat:outbox:${this.slug}:${this.me.id}`, {
        storage: storage("sessionStorage"),
      }),
      send: (frame) => this.send(frame),
      view: this.outgoing,
      restoreDraft: (body) => this.ui?.restoreDraft(body) ?? false,
      onQueued: () => this.showStatus(),
    });
    this.delivery = new Delivery({
      handlers: Object.fromEntries(MESSAGE_KINDS.map((kind) => [kind, (e) => this.onMessage(e)])),
      handlerFor, // other apps' kinds (the help desk's question.*): extensions.js
      sendResume: (after) => this.send({ type: "resume", after_event_id: after }),
      fetchAfter: () => this.history.fetchEvents(),
    });
    this.history = new History({
      api: this.api,
      slug: this.slug,
      pageSize: config.historyPageSize,
      delivery: this.delivery,
      timeline: this.timeline,
      dom,
      hooks: {
        message: (message) => this.sender.arrived(message, this.me),
        loaded: () => this.historyLoaded(),
        accept: (events) => this.accept(() => this.delivery.accept(events)),
        error: (text) => this.ui?.showError(text),
        clearError: () => this.ui?.clearError(),
        probeAccess: () => this.probeAccess(),
        resync: () => this.resync(),
      },
    });
    this.presence = new Presence(dom, this.me);
    // New messages for screen readers: one polite announcement every few seconds at most,
    // summing up a burst (announcer.js), instead of a live message list that reads them all.
    this.announcer = new MessageAnnouncer({ speak: (text) => this.announce(text), me: this.me.id });
    this.poller = new Poller({
      round: () => this.pollRound(),
      shouldRun: () => !this.live && !this.connection.stopped,
    });
    this.status = new ConnectionStatus(dom, () => this.statusFacts());

    this.connection = new Connection(
      socketUrl(`/ws/rooms/${encodeURIComponent(this.slug)}/`),
      {
        onFrame: (frame) => this.onFrame(frame),
        onOpen: () => this.delivery.socketOpened(),
        onClose: () => this.onClose(),
        onState: (state) => {
          if (state === "connecting" && !this.live) this.showStatus();
        },
      },
    );
  }

  /** The message box and the reader's position (room-ui.js): they call back into this. */
  attach(ui) {
    this.ui = ui;
  }

  start() {
    this.sender.restore();
    this.showStatus();
    this.connection.start();
  }

  /** What the browser tests and the console read (window.__chat). */
  get historyState() {
    return this.delivery.historyState;
  }

  get lastEventId() {
    return this.delivery.lastEventId;
  }

  // -- frames from the server ----------------------------------------------------------------

  onFrame(frame) {
    // The side panel, the bell and other page parts follow the socket through this event.
    window.dispatchEvent(new CustomEvent("livechat:frame", { detail: frame }));
    switch (frame.type) {
      case "hello":
        return this.onHello(frame);
      case "event":
        return this.accept(() => this.delivery.receive(frame));
      case "ack":
        return this.onAck(frame);
      case "error":
        return this.onError(frame);
      case "presence":
        return this.presence.renderOnline(frame.online || []);
      case "typing":
        return this.presence.showTyping(frame.user);
      case "resync":
        return this.resync();
      case "reported":
        return this.timeline.prompts.done(
          frame.message_id,
          gettext("Reported — moderators will look at it."),
        );
      case "thanked":
        return this.timeline.thanked(frame.message_id);
      case "read": // another tab of ours read this far
        return frame.room === this.slug ? this.ui?.readElsewhere(frame.message_id) : undefined;
      default:
        return undefined; // frames from later versions (notification, …) are ignored
    }
  }

  onHello(frame) {
    this.live = true;
    this.helloSeenEver = true;
    this.failedConnects = 0;
    this.disconnectedSince = null;
    this.poller.stop();
    this.connection.markHealthy();
    this.presence.renderOnline(frame.online || []);
    if (this.delivery.hello(frame.last_event_id) === "fresh") this.history.load();
    this.timeline.editing.releaseSaving();
    this.timeline.prompts.releaseSending();
    this.sender.flush();
    this.showStatus();
    this.ui?.scheduleRead();
  }

  /** Run `apply` (delivery taking events); if they brought new messages, follow them. The
   * reader's position is read first: rendering moves the bottom. */
  accept(apply) {
    const stick = this.ui?.nearBottom() ?? false;
    if (apply()) this.ui?.afterNewMessages(stick);
  }

  /** Every message kind carries the whole message after the change. */
  onMessage(event) {
    const { message } = event;
    if (!message?.author) return false; // a message kind sent bare: nothing to show
    const created = this.timeline.upsert(message);
    if (created && event.kind === "message.created") this.announcer.add(message);
    this.sender.arrived(message, this.me);
    if (event.kind === "message.created") this.presence.clearTyping(message.author.username);
    return created;
  }

  historyLoaded() {
    this.accept(() => this.delivery.historyLoaded());
    this.ui?.entered();
  }

  /** The events asked for are gone from the log: start over, as on a fresh page. */
  /** Into the live region; emptied first, so that the same words twice are said twice. */
  announce(text) {
    const region = this.dom.announce;
    if (!region) return;
    region.textContent = "";
    setTimeout(() => {
      region.textContent = text;
    }, 100);
  }

  resync() {
    this.announcer.reset();
    this.delivery.resync();
    this.timeline.clear();
    this.history.setControls(false, false);
    this.live = false;
    this.showStatus(gettext("Reloading the conversation…"));
    this.connection.reconnectNow();
  }

  onAck(frame) {
    const covered =
      this.timeline.messages.has(frame.message_id) || this.delivery.covers(frame.event_id);
    // Whatever stopped us before (a block) no longer does.
    if (this.sender.ack(frame, covered)) this.ui?.hideRefusal();
  }

  onError(frame) {
    const detail = frame.detail || gettext("Something went wrong.");
    // The server cannot reach its database or Redis for a moment. A send stays queued
    // and goes again by itself (sending.js); a socket told so closes "try again later"
    // and the connection banner says it is reconnecting: no error to show for either.
    if (frame.code === "unavailable" && !frame.message_id) {
      if (frame.client_id) this.sender.refused(frame, detail);
      return;
    }
    // A block refuses every write (send, edit, reaction, report) until it ends: say so
    // next to the message box, whatever was refused, and keep saying it.
    if (frame.code === "blocked") this.ui?.showRefusal(detail);
    if (this.timeline.thankFailed(frame.message_id, frame.code, detail)) return;
    if (frame.client_id && this.sender.pending.has(frame.client_id)) {
      const stick = this.ui?.nearBottom() ?? false;
      this.sender.refused(frame, detail);
      if (stick) this.ui?.scrollToBottom();
      return;
    }
    if (this.messageError(frame, detail)) return;
    if (frame.code !== "blocked") this.ui?.showError(detail);
  }

  /** An error about a message on the page: an edit's, a reason form's, a reaction's.
   * Returns false when none of them took it. */
  messageError(frame, detail) {
    const id = frame.message_id;
    if (!Number.isInteger(id) || !this.timeline.messages.has(id)) return false;
    const { editing, prompts } = this.timeline;
    // An edit's conflict carries the current revision; a report's ("already reported")
    // does not, and goes to the reason form with the other moderation answers.
    if (frame.code === "conflict" && frame.current_revision !== undefined) {
      return editing.conflict(id, frame.current_revision, frame.message, detail);
    }
    if (prompts.failed(id, frame.code, detail)) return true;
    if (frame.code === "conflict") {
      return editing.conflict(id, frame.current_revision, frame.message, detail);
    }
    if (editing.isSaving(id)) return editing.failed(id, detail);
    return this.timeline.showError(id, detail);
  }

  // -- the socket's life ---------------------------------------------------------------------

  onClose() {
    const hadHello = this.live;
    this.live = false;
    this.disconnectedSince ??= Date.now();
    if (!hadHello) this.failedConnects += 1;
    this.sender.disconnected();
    this.showStatus();
    this.poller.startSoon();
    // A handshake the server refuses looks like any network failure to a browser. After
    // a few, ask the API whether we are still signed in and the room still exists.
    if (this.failedConnects >= 3 && this.failedConnects % 3 === 0) this.probeAccess();
  }

  async probeAccess() {
    try {
      await fetchJSON(`${this.api}/messages/?limit=1`);
    } catch (error) {
      if (error.status === 403) this.stopFor(gettext("You are signed out."), { signIn: true });
      else if (error.status === 404) this.stopFor(gettext("This room no longer exists."));
    }
  }

  /** Give up reconnecting, for a reason retrying cannot fix. */
  stopFor(text, options) {
    this.connection.stop();
    this.poller.stop();
    this.live = false;
    this.status.ended(text, options);
  }

  showStatus(text = null) {
    this.status.show(text);
  }

  statusFacts() {
    const downFor = this.disconnectedSince ? Date.now() - this.disconnectedSince : 0;
    return {
      live: this.live,
      helloSeenEver: this.helloSeenEver,
      waiting: this.connection.waiting,
      retryAt: this.connection.retryAt,
      queued: this.sender.queued,
      polling: this.poller.active && downFor > POLL_AFTER_MS,
    };
  }

  reconnectNow() {
    this.connection.reconnectNow();
  }

  // -- polling fallback ----------------------------------------------------------------------

  async pollRound() {
    if (this.delivery.lastEventId === null) {
      await this.history.firstLoadOverHttp(() => !this.live);
    } else {
      await this.history.fetchEvents();
    }
    await this.sendOutboxOverHttp();
  }

  /** The queue over POST while the socket is down; a repeated client_id is answered with
   * the first message, so overlapping with the socket's resend is harmless. */
  async sendOutboxOverHttp() {
    for (const entry of this.sender.outbox.all()) {
      if (this.live) return; // the socket is back and resends the queue itself
      try {
        const message = await fetchJSON(`${this.api}/messages/`, {
          method: "POST",
          body: { body: entry.body, client_id: entry.clientId, reply_to: entry.replyTo },
        });
        this.onAck({ client_id: entry.clientId, message_id: message.id });
      } catch (error) {
        if (!(error.status && error.status < 500 && error.body?.code)) return; // network
        this.onError({ ...error.body, client_id: entry.clientId });
      }
    }
  }

  // -- sending -------------------------------------------------------------------------------

  /** Send a frame on a socket that has said hello; false if there is none. */
  send(frame) {
    return this.live && this.connection.send(frame);
  }

  /** The user sends a message from the box. */
  sendMessage(body, replyTo = null) {
    this.sender.submit(body, replyTo);
    this.ui?.scrollToBottom();
  }

  react(id, emoji) {
    if (!this.send({ type: "reaction.toggle", message_id: id, emoji })) {
      this.timeline.showError(
        id,
        gettext("You are offline; try again when the connection is back."),
      );
    }
  }
}
