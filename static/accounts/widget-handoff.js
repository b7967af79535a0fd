// The widget's sign-in popup, last page (accounts/views.py widget_signed_in): hand the
// token to the widget that opened this window, on our own origin only, and close.
const node = document.getElementById("widget-handoff");
const opener = window.opener;
if (node && opener && !opener.closed) {
  opener.postMessage({ type: "livechat:widget-token", token: node.dataset.token }, location.origin);
  window.close();
} else {
  document.getElementById("widget-handoff-lost")?.removeAttribute("hidden");
}
