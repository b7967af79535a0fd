// Web storage, or null where the browser refuses it. A third-party frame (the widget on a
// wiki page, when the browser blocks third-party cookies) throws on the mere read of
// `sessionStorage` or `localStorage`; callers then keep what they would store in memory.

/** @param {"sessionStorage"|"localStorage"} name */
export function storage(name) {
  try {
    return globalThis[name] ?? null;
  } catch {
    return null;
  }
}
