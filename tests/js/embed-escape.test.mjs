import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { CLOSE_MESSAGE, wireEmbedEscape } from "../../static/livechat/embed-escape.js";

function framed() {
  const listeners = [];
  const posted = [];
  const doc = { addEventListener: (type, listener) => listeners.push({ type, listener }) };
  const parent = { postMessage: (message, origin) => posted.push({ message, origin }) };
  const win = { parent };
  return { doc, win, posted, press: (event) => listeners.forEach(({ listener }) => listener(event)) };
}

describe("Escape in the widget", () => {
  it("asks the page around it to close when nothing in the widget took the key", () => {
    const { doc, win, posted, press } = framed();
    wireEmbedEscape(doc, win);
    press({ key: "Escape", defaultPrevented: false });
    assert.deepEqual(posted, [{ message: { type: CLOSE_MESSAGE }, origin: "*" }]);
  });

  it("leaves an Escape that closed a reply, an edit or a menu alone", () => {
    const { doc, win, posted, press } = framed();
    wireEmbedEscape(doc, win);
    press({ key: "Escape", defaultPrevented: true });
    press({ key: "Enter", defaultPrevented: false });
    assert.deepEqual(posted, []);
  });

  it("does nothing on a page that is not framed", () => {
    const { doc, posted, press } = framed();
    const win = {};
    win.parent = win;
    wireEmbedEscape(doc, win);
    press({ key: "Escape", defaultPrevented: false });
    assert.deepEqual(posted, []);
  });
});
