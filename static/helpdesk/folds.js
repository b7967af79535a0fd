// Which messages of a help room's live view are folded away: the threads of questions
// resolved more than a day ago (GET /api/rooms/<slug>/folded/), each shown as one line on
// its first message until the reader opens it. Pure: no DOM (folding.js draws it).

export class Folds {
  constructor() {
    /** @type {Map<number, object>} question id -> {question_id, message_id, message_ids, asker} */
    this.threads = new Map();
    /** @type {Map<number, number>} message id -> the question id of its folded thread */
    this.byMessage = new Map();
    /** @type {Set<number>} question ids whose threads the reader opened */
    this.opened = new Set();
  }

  /** The server's list replaces the previous one; a thread the reader opened stays open
   * while it is listed. Returns the ids of the messages whose state may have changed. */
  update(threads) {
    const touched = new Set(this.byMessage.keys());
    this.threads.clear();
    this.byMessage.clear();
    for (const thread of threads) {
      this.threads.set(thread.question_id, thread);
      for (const id of [thread.message_id, ...(thread.message_ids || [])]) {
        this.byMessage.set(id, thread.question_id);
        touched.add(id);
      }
    }
    for (const question of [...this.opened]) {
      if (!this.threads.has(question)) this.opened.delete(question);
    }
    return [...touched];
  }

  /** The reader opens a folded thread. Returns its message ids. */
  open(questionId) {
    if (!this.threads.has(questionId)) return [];
    this.opened.add(questionId);
    return this.idsOf(questionId);
  }

  /** The question was reopened: its thread is live again. Returns its message ids. */
  forget(questionId) {
    const ids = this.idsOf(questionId);
    this.threads.delete(questionId);
    this.opened.delete(questionId);
    for (const id of ids) this.byMessage.delete(id);
    return ids;
  }

  idsOf(questionId) {
    const ids = [];
    for (const [id, question] of this.byMessage) if (question === questionId) ids.push(id);
    return ids;
  }

  /** The thread message `id` belongs to, if it is folded or was opened. */
  threadOf(id) {
    const question = this.byMessage.get(id);
    return question === undefined ? null : this.threads.get(question);
  }

  /** How message `id` shows: "head" (the thread's one line), "folded" (not shown) or
   * "shown". */
  state(id) {
    const thread = this.threadOf(id);
    if (!thread || this.opened.has(thread.question_id)) return "shown";
    return thread.message_id === id ? "head" : "folded";
  }

  /** How many messages the folded line stands for. */
  size(questionId) {
    return this.idsOf(questionId).length;
  }
}
