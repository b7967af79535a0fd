// The widget in a panel on a wiki page (static/helpdesk/wiki-loader.js): Escape that nothing
// in the widget took (a reply, an edit, a menu, a picker all take theirs and call
// preventDefault) asks the page around it to close the panel. Keys pressed in a frame never
// reach the page, so without this Escape would close the panel only with the focus
// outside the widget. The message carries nothing private: any origin may receive it.

export const CLOSE_MESSAGE = "livechat:close";

export function wireEmbedEscape(doc = document, win = window) {
  if (win.parent === win) return; // not framed
  doc.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !event.defaultPrevented) {
      win.parent.postMessage({ type: CLOSE_MESSAGE }, "*");
    }
  });
}
