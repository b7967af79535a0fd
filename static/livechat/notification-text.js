// What a notification says, one whole sentence per kind, so that each language can place
// the names (%(actor)s, %(room)s). The bell and the desktop notifications both use it.
import { gettext } from "./i18n.js";

export function notificationSentence(kind) {
  switch (kind) {
    case "mention":
      return gettext("%(actor)s mentioned you in %(room)s");
    case "reply":
      return gettext("%(actor)s replied to you in %(room)s");
    case "thanks":
      return gettext("%(actor)s thanked you in %(room)s");
    case "question":
      // To a helper: a newcomer's question that needs someone.
      return gettext("%(actor)s is waiting for an answer in %(room)s");
    case "claimed":
      return gettext("%(actor)s is looking at your question in %(room)s");
    case "resolved":
      return gettext("%(actor)s marked your question in %(room)s answered");
    case "reminder":
      // To the asker, days after an answer they have not marked.
      return gettext("Your question in %(room)s has an answer. Did it help?");
    default:
      return gettext("%(actor)s: %(kind)s in %(room)s");
  }
}
