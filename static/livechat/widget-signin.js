// The widget signed out (templates/livechat/embed_signin.html). Signing in opens a popup,
// a first-party window where the chat's cookies work; its last page posts a token to this
// frame (static/accounts/widget-handoff.js), and the frame posts the token to its own
// address to load the chat signed in (docs/wiki.md, "The widget").

import { remember, remembered } from "./auth.js";

const card = document.getElementById("widget-signin");
const form = document.getElementById("widget-token-form");
const button = document.getElementById("widget-signin-button");
let popup = null;

function signInWith(token) {
  form.elements.token.value = token;
  form.submit();
}

if (card.dataset.rejected === "true") {
  remember(null);
} else {
  // A reload of a widget that signed in earlier in this tab: no popup needed.
  const token = remembered();
  if (token) signInWith(token);
}

button.addEventListener("click", () => {
  popup = window.open(card.dataset.popupUrl, "livechat-sign-in", "popup,width=520,height=680");
  document.getElementById("widget-signin-blocked").hidden = Boolean(popup);
  document.getElementById("widget-signin-waiting").hidden = !popup;
});

// The button is disabled in the page until here: a click before this script ran would
// open nothing (the link below it opens the chat in a tab without any script).
button.disabled = false;

window.addEventListener("message", (event) => {
  // Only the popup we opened, on our own origin, may sign this frame in.
  if (event.origin !== location.origin || !popup || event.source !== popup) return;
  const data = event.data;
  if (!data || data.type !== "livechat:widget-token" || typeof data.token !== "string") return;
  remember(data.token);
  signInWith(data.token);
});
