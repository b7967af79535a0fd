import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";

import {
  gettext,
  interfaceLocale,
  interpolate,
  interpolateParts,
  ngettext,
  pgettext,
} from "../../static/livechat/i18n.js";

describe("i18n without a catalog (English)", () => {
  it("gives the message back as written", () => {
    assert.equal(gettext("Send"), "Send");
    assert.equal(pgettext("verb", "Report"), "Report");
  });

  it("uses the n == 1 plural rule", () => {
    const online = (n) => ngettext("%(count)s person online", "%(count)s people online", n);
    assert.equal(online(1), "%(count)s person online");
    assert.equal(online(0), "%(count)s people online");
    assert.equal(online(2), "%(count)s people online");
  });

  it("fills named and positional placeholders", () => {
    const text = ngettext("%(count)s person online", "%(count)s people online", 3);
    assert.equal(interpolate(text, { count: 3 }, true), "3 people online");
    const typing = interpolate(gettext("%(name)s is typing…"), { name: "Zoë" }, true);
    assert.equal(typing, "Zoë is typing…");
    assert.equal(interpolate("%s of %s", [2, 5]), "2 of 5");
  });

  it("splits a sentence around parts that are elements", () => {
    const name = { element: "strong" };
    const parts = interpolateParts("Replying to %(name)s: %(excerpt)s", { name, excerpt: "Hi" });
    assert.deepEqual(parts, ["Replying to ", name, ": ", "Hi"]);
    assert.deepEqual(interpolateParts("%(x)s first", { x: 1 }), [1, " first"]);
    assert.deepEqual(interpolateParts("keeps %(unknown)s", {}), ["keeps ", "%(unknown)s"]);
  });
});

describe("i18n with Django's catalog", () => {
  afterEach(() => {
    delete globalThis.gettext;
    delete globalThis.ngettext;
    delete globalThis.pgettext;
    delete globalThis.interpolate;
  });

  it("delegates to the catalog's globals, looked up at call time", () => {
    globalThis.gettext = (msgid) => (msgid === "Send" ? "Senden" : msgid);
    globalThis.ngettext = (s, p, n) => (n === 1 ? "eine Person" : "%(count)s Personen");
    globalThis.pgettext = (context, msgid) => `${context}|${msgid}`;
    globalThis.interpolate = (fmt, obj, named) =>
      `[${named}] ${fmt.replace("%(count)s", obj.count)}`;
    assert.equal(gettext("Send"), "Senden");
    assert.equal(ngettext("a", "b", 4), "%(count)s Personen");
    assert.equal(pgettext("verb", "Report"), "verb|Report");
    assert.equal(interpolate("%(count)s Personen", { count: 4 }, true), "[true] 4 Personen");
  });
});

describe("interfaceLocale", () => {
  const page = (lang) => ({ documentElement: { lang } });

  it("is the interface language, as the reader prefers it", () => {
    assert.equal(interfaceLocale(page("en"), { languages: ["de-DE", "en-GB", "en"] }), "en-GB");
    assert.equal(interfaceLocale(page("ar"), { languages: ["en-US"] }), "ar");
    assert.equal(interfaceLocale(page("cs"), undefined), "cs");
  });

  it("is the platform's where there is no page", () => {
    assert.equal(interfaceLocale(undefined, undefined), undefined);
    assert.equal(interfaceLocale(page(""), { languages: ["fr"] }), undefined);
  });
});
