// The widget signed in without cookies (accounts/widget_tokens.py, docs/wiki.md "The
// widget"). In a browser that blocks third-party cookies the widget's frame has none; it
// signs in through a popup that hands it a token, and the page carries that token in
// #chat-config. While it is open the page sends it as `Authorization: Bearer` with its API
// calls and as `?token=` in its sockets' address, and swaps it for a fresh one at half its
// life. Pages signed in by a cookie have no token, and nothing here changes for them.

import { storage } from "./storage.js";

export const TOKEN_STORE = "livechat:widget-token";
// The Authorization scheme (accounts/widget_tokens.py BEARER).
const SCHEME = "Bearer";

let token;
let refreshTimer = null;

function fromPage() {
  const node = document.getElementById("chat-config");
  if (!node) return null;
  try {
    return JSON.parse(node.textContent).token || null;
  } catch {
    return null;
  }
}

/** Remember the token for this tab, so that reloading the widget needs no popup. Storage
 * may be refused in a third-party frame: the token then lives as long as the page. */
export function remember(value) {
  try {
    if (value) storage("sessionStorage")?.setItem(TOKEN_STORE, value);
    else storage("sessionStorage")?.removeItem(TOKEN_STORE);
  } catch {
    // Storage full or blocked: the token lasts as long as the page.
  }
}

export function remembered() {
  try {
    return storage("sessionStorage")?.getItem(TOKEN_STORE) ?? null;
  } catch {
    return null;
  }
}

export function currentToken() {
  if (token === undefined) {
    token = fromPage();
    if (token) {
      remember(token);
      scheduleRefresh();
    }
  }
  return token;
}

export function authHeaders() {
  const value = currentToken();
  return value ? { Authorization: `${SCHEME} ${value}` } : {};
}

/** A socket address with the token, when there is one (read at each connect). */
export function socketUrl(path) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return () => {
    const query = new URLSearchParams();
    const value = currentToken();
    if (value) query.set("token", value);
    // The socket speaks the page's language (its error details): the page's ?uselang=
    // would otherwise be lost, the socket's address being the script's (core.i18n).
    const language = document.documentElement.lang;
    if (language) query.set("uselang", language);
    const search = query.toString();
    return `${scheme}://${location.host}${path}${search ? `?${search}` : ""}`;
  };
}

function scheduleRefresh() {
  const node = document.getElementById("chat-config");
  let config = {};
  try {
    config = JSON.parse(node.textContent);
  } catch {
    return;
  }
  if (!config.tokenRefreshUrl || !config.tokenSeconds) return;
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => refresh(config), (config.tokenSeconds * 1000) / 2);
}

async function refresh(config) {
  try {
    const response = await fetch(config.tokenRefreshUrl, {
      method: "POST",
      headers: { Accept: "application/json", Authorization: `${SCHEME} ${token}` },
      credentials: "omit",
    });
    if (response.ok) {
      token = (await response.json()).token;
      remember(token);
    }
  } catch {
    // Offline: try again a little later, while the current token still lasts.
  }
  refreshTimer = setTimeout(() => refresh(config), 60_000);
  if (token) scheduleRefresh();
}
