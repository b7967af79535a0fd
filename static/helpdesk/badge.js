// The waiting-questions badge, on every page for helpers and in the widget: how many
// questions wait (GET /api/helpdesk/summary/), coloured by the oldest wait, linking to
// the queue. Every question change on /ws/helpdesk/ refetches the summary (debounced);
// between changes the oldest wait goes on growing here, so the colour moves on its own.

import { fetchJSON } from "../livechat/dom.js";
import { badgeState } from "./queue-model.js";
import { helpdeskSocket } from "./queue-socket.js";

const DEBOUNCE_MS = 400;
const TICK_MS = 15_000;
// A dropped frame or a sleeping laptop: the summary is fetched again at least this often.
const REFRESH_MS = 60_000;

class Badge {
  constructor(link) {
    this.link = link;
    this.count = link.querySelector(".helpdesk-badge-count");
    this.wait = link.querySelector(".helpdesk-badge-wait");
    this.text = link.querySelector(".helpdesk-badge-text");
    this.summary = null;
    this.fetchedAt = 0;
    this.debounce = null;
    this.loading = false;
  }

  start() {
    helpdeskSocket().subscribe({
      onFrame: (frame) => {
        if (frame.type === "hello" || frame.type === "question.changed") this.soon();
      },
    });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.soon();
    });
    setInterval(() => {
      if (Date.now() - this.fetchedAt >= REFRESH_MS) this.load();
      else this.render();
    }, TICK_MS);
    this.load();
  }

  soon() {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.load(), DEBOUNCE_MS);
  }

  async load() {
    if (this.loading) {
      this.soon(); // one request at a time; ask again once this one is in
      return;
    }
    this.loading = true;
    try {
      this.summary = await fetchJSON("/api/helpdesk/summary/");
      this.fetchedAt = Date.now();
      this.render();
    } catch {
      // Offline: keep what is shown; the socket's next hello brings it back.
    } finally {
      this.loading = false;
    }
  }

  render() {
    if (!this.summary) return;
    const state = badgeState(this.summary, Date.now() - this.fetchedAt);
    this.link.dataset.level = state.level;
    this.count.textContent = state.countText;
    this.wait.textContent = state.wait;
    this.wait.hidden = !state.wait;
    this.text.textContent = state.text;
    this.link.title = state.text;
  }
}

const link = document.getElementById("helpdesk-badge");
if (link) new Badge(link).start();
