// The scripts' catalog. On a page, Django's JavaScriptCatalog (/jsi18n/, loaded by
// base.html as a classic script before any module) defines gettext, ngettext, pgettext and
// interpolate as globals in the reader's language. Where it is absent (node's test runner,
// a page that forgot it) English comes back as written, with English's plural rule.
//
// makemessages (xgettext, JavaScript) finds messages by these names: call them with string
// literals, never variables or template literals, or the text is never translated.

/** The catalog's function `name`, looked up on every call: the catalog may be swapped
 * (tests do) and must never be captured before it exists. */
function fromCatalog(name) {
  const fn = globalThis[name];
  return typeof fn === "function" ? fn : null;
}

export function gettext(msgid) {
  const fn = fromCatalog("gettext");
  return fn ? fn(msgid) : msgid;
}

export function ngettext(singular, plural, count) {
  const fn = fromCatalog("ngettext");
  if (fn) return fn(singular, plural, count);
  return count === 1 ? singular : plural;
}

/** A message whose English reads the same in two places that other languages tell apart
 * (a verb and a noun, say). */
export function pgettext(context, msgid) {
  const fn = fromCatalog("pgettext");
  return fn ? fn(context, msgid) : msgid;
}

/** Fill "%(name)s" from an object (named = true) or "%s" from a list, as Django's does. */
export function interpolate(format, values, named = false) {
  const fn = fromCatalog("interpolate");
  if (fn) return fn(format, values, named);
  if (named) {
    return format.replace(/%\((\w+)\)s/g, (match, name) => String(values[name]));
  }
  let index = 0;
  return format.replace(/%s/g, () => String(values[index++]));
}

/** A translated sentence whose placeholders stand for page elements (a name in bold, a
 * room's link): the text around them and the given parts, in the order the translation
 * puts them, ready for el() or append(). No HTML is parsed; a part not given stays as
 * written. Pure: the parts can be anything. */
export function interpolateParts(format, parts) {
  return format
    .split(/(%\(\w+\)s)/)
    .filter((piece) => piece !== "")
    .map((piece) => {
      const name = /^%\((\w+)\)s$/.exec(piece)?.[1];
      return name && Object.hasOwn(parts, name) ? parts[name] : piece;
    });
}

/** The locale for dates, times and numbers (Intl): the interface language
 * (`<html lang>`), refined by the reader's own preference for that language when they have
 * one ("en" → "en-GB" for a reader whose browser asks for British English, so a 24-hour
 * clock), and `undefined` (the platform's) where there is no page, as in node's tests. */
export function interfaceLocale(doc = globalThis.document, nav = globalThis.navigator) {
  const language = doc?.documentElement?.lang;
  if (!language) return undefined;
  const base = language.split("-")[0].toLowerCase();
  const preferred = (nav?.languages || []).find(
    (tag) => tag.split("-")[0].toLowerCase() === base,
  );
  return preferred || language;
}

/** A name (or other text people typed) inside a sentence, marked for isolation: dom.js's
 * isolated() turns the mark into a <bdi>, so an Arabic name in an English sentence, or a
 * Latin one in an Arabic sentence, keeps its own direction and leaves the sentence's order
 * alone. Pure: modules without a DOM return sentences as interpolateParts() pieces with
 * these marks in them. */
export function isolate(text) {
  return { isolate: String(text) };
}
