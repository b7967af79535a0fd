// Small helpers shared by the chat modules: building elements safely, times, HTTP.
//
// Everything here writes text with textContent; the only HTML the chat ever parses is a
// message's server-sanitised `html` (see message-view.js).

import { authHeaders } from "./auth.js";
import { relativeTime } from "./format.js";
import { gettext, interpolate } from "./i18n.js";

/**
 * Create an element. `props` sets attributes (`class`, `title`, `data-*`, `aria-*`, …);
 * `true` sets a boolean attribute, `false`/`null`/`undefined` leaves it out. Children are
 * nodes or strings (strings become text nodes, never HTML).
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "onclick") node.addEventListener("click", value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Sentence pieces (i18n.js's interpolateParts) ready for el() or append(): the names
 * i18n.js's isolate() marked become <bdi> elements; text stays text, nodes stay nodes. */
export function isolated(parts) {
  return parts.map((part) =>
    part && typeof part === "object" && "isolate" in part ? el("bdi", {}, part.isolate) : part,
  );
}

/** A <time> element showing the relative time, with the exact ISO time as its title. Its
 * text moves on with Timeline.refreshTimes(). */
export function timeElement(iso, className = "msg-time") {
  return el("time", { class: className, datetime: iso, title: iso }, relativeTime(iso));
}

function roleLabel(role) {
  if (role === "mentor") return gettext("Mentor");
  if (role === "moderator") return gettext("Moderator");
  return null; // a role the chat does not show
}

/** Badges for the roles the chat shows (mentor, moderator), in wire order. */
export function roleBadges(roles = []) {
  return roles
    .filter((role) => roleLabel(role))
    .map((role) => el("span", { class: `badge badge-${role}` }, roleLabel(role)));
}

export function readCookie(name) {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

/** An API error with the server's `{"error": {code, detail}}` and the HTTP status. */
export class ApiError extends Error {
  constructor(status, error) {
    super(
      error?.detail || interpolate(gettext("The server answered %(status)s."), { status }, true),
    );
    this.status = status;
    this.code = error?.code || "http_error";
    this.body = error || {};
  }
}

/**
 * fetch() for the JSON API: same-origin session cookie, CSRF header on writes, and
 * `{"error": …}` answers raised as ApiError.
 */
export async function fetchJSON(url, { method = "GET", body } = {}) {
  // A widget signed in by a token (auth.js) has no cookies to send: the token says who it is.
  const headers = { Accept: "application/json", ...authHeaders() };
  if (method !== "GET") {
    headers["Content-Type"] = "application/json";
    if (!headers.Authorization) headers["X-CSRFToken"] = readCookie("csrftoken") || "";
  }
  const response = await fetch(url, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try {
    data = await response.json();
  } catch {
    // Not JSON (a proxy error page, say): reported below by status.
  }
  if (!response.ok) throw new ApiError(response.status, data?.error);
  return data;
}
