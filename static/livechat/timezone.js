// The browser's time zone, told to the server for the dates and times it writes (core/tz.py):
// a cookie the server checks against its zone database, so a wrong one is only ignored.
// The page's own scripts format times with Intl in this same zone and need nothing of it.
const COOKIE = "tz";
const YEAR = 365 * 24 * 60 * 60;

export function zoneCookie(zone, cookies) {
  if (!zone) return null;
  const value = encodeURIComponent(zone);
  const current = cookies.split(";").map((part) => part.trim());
  if (current.includes(`${COOKIE}=${value}`)) return null;
  return `${COOKIE}=${value}; path=/; max-age=${YEAR}; SameSite=Lax`;
}

function browserZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || null;
  } catch {
    return null;
  }
}

if (typeof document !== "undefined") {
  const cookie = zoneCookie(browserZone(), document.cookie);
  if (cookie) document.cookie = cookie;
}
