// The chat on every wiki page (docs/wiki.md, "The chat on the wiki's pages"): a "Help
// chat" button with the helpers' indicator, opening the widget beside the page. The chat
// serves this file at /wiki/loader.js followed by one call, livechatHelpChat(config), with
// its address, the help room and every word already translated (the wiki's page has no
// catalog of ours). A wiki adds it as a gadget or in MediaWiki:Common.js:
//
//   mw.loader.load("https://chat.example.org/wiki/loader.js");
//
// The reader's language reaches the chat as ?uselang= from the wiki's wgUserLanguage on the
// widget's address and the indicator's. The loader's own three words come from this
// script's request: its Accept-Language, or ?uselang= when the wiki's line passes it:
//
//   mw.loader.load("https://chat.example.org/wiki/loader.js?uselang=" +
//     encodeURIComponent(mw.config.get("wgUserLanguage")));
//
// No framework, no globals but the one function; styles are set through the CSSOM, which a
// wiki's Content-Security-Policy allows where it refuses inline <style>.

window.livechatHelpChat = function livechatHelpChat(config) {
  if (document.getElementById("livechat-launcher")) return; // loaded twice
  const POLL_MS = 60_000;
  const doc = document;
  const mwConfig = window.mw && window.mw.config;
  const wikiUser = (mwConfig && mwConfig.get("wgUserName")) || "";
  // The reader's language on the wiki (their preference, or the wiki's ?uselang=): the
  // widget and the indicator speak it, by the chat's ?uselang= (docs/translating.md).
  // Absent or not a language the chat ships: the chat falls back to its own rules.
  const wikiLanguage = (mwConfig && mwConfig.get("wgUserLanguage")) || "";

  function withLanguage(address) {
    const url = new URL(address);
    if (wikiLanguage) url.searchParams.set("uselang", wikiLanguage);
    return url;
  }

  function styled(tag, styles, attributes) {
    const element = doc.createElement(tag);
    Object.assign(element.style, styles);
    for (const [name, value] of Object.entries(attributes || {})) {
      element.setAttribute(name, value);
    }
    return element;
  }

  const launcher = styled(
    "button",
    {
      position: "fixed",
      insetInlineEnd: "16px",
      insetBlockEnd: "16px",
      zIndex: "1000",
      display: "flex",
      alignItems: "center",
      gap: "8px",
      padding: "10px 16px",
      border: "0",
      borderRadius: "999px",
      background: "#36c",
      color: "#fff",
      font: "600 15px/1.2 sans-serif",
      boxShadow: "0 2px 8px rgba(0, 0, 0, 0.3)",
      cursor: "pointer",
    },
    {
      id: "livechat-launcher",
      type: "button",
      "aria-expanded": "false",
      "aria-controls": "livechat-panel",
    },
  );
  const label = styled("span", {}, { class: "livechat-launcher-label" });
  label.textContent = config.strings.button;
  const badge = styled(
    "span",
    {
      padding: "2px 8px",
      borderRadius: "999px",
      background: "rgba(255, 255, 255, 0.2)",
      fontWeight: "400",
    },
    { class: "livechat-launcher-badge", hidden: "" },
  );
  launcher.append(label, badge);

  const panel = styled(
    "div",
    {
      position: "fixed",
      insetInlineEnd: "16px",
      insetBlockEnd: "72px",
      zIndex: "1000",
      width: "360px",
      maxWidth: "calc(100vw - 32px)",
      height: "600px",
      maxHeight: "calc(100vh - 96px)",
      display: "none", // shown by open(): an inline display would override `hidden`
      flexDirection: "column",
      background: "#fff",
      borderRadius: "8px",
      boxShadow: "0 4px 24px rgba(0, 0, 0, 0.35)",
      overflow: "hidden",
    },
    { id: "livechat-panel", role: "dialog", "aria-label": config.strings.title, hidden: "" },
  );
  const close = styled(
    "button",
    {
      alignSelf: "flex-end",
      margin: "4px",
      padding: "4px 10px",
      border: "0",
      background: "transparent",
      font: "20px/1 sans-serif",
      cursor: "pointer",
    },
    { type: "button", "aria-label": config.strings.close, title: config.strings.close },
  );
  close.textContent = "×";
  panel.append(close);
  let frame = null;

  function open() {
    if (!frame) {
      // Created on first use: a wiki page costs the reader nothing until they ask.
      frame = styled(
        "iframe",
        { flex: "1", width: "100%", border: "0" },
        {
          src: withLanguage(config.widgetUrl).href,
          title: config.strings.title,
          allow: "clipboard-write",
        },
      );
      panel.append(frame);
    }
    panel.hidden = false;
    panel.style.display = "flex";
    launcher.setAttribute("aria-expanded", "true");
    frame.focus();
  }

  function shut() {
    panel.hidden = true;
    panel.style.display = "none";
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  launcher.addEventListener("click", () => (panel.hidden ? open() : shut()));
  // Escape in the widget (keys in a frame stay there): it asks us to close.
  const widgetOrigin = new URL(config.widgetUrl).origin;
  window.addEventListener("message", (event) => {
    const fromWidget = frame && event.source === frame.contentWindow;
    if (fromWidget && event.origin === widgetOrigin && event.data?.type === "livechat:close") {
      shut();
    }
  });
  close.addEventListener("click", shut);
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") shut();
  });

  // The indicator: helpers online for everyone; for the wiki's helpers, the questions
  // waiting and how late the oldest is.
  async function refresh() {
    if (doc.visibilityState === "hidden") return;
    try {
      const url = withLanguage(config.statusUrl);
      if (wikiUser) url.searchParams.set("user", wikiUser);
      const response = await fetch(url, { credentials: "omit" });
      if (!response.ok) return;
      const status = await response.json();
      badge.textContent = status.label;
      badge.hidden = !status.label;
      launcher.title = status.title || "";
      // The oldest wait's colour, as on the chat's own badge: over 30 minutes, over 5.
      const colours = { late: ["#d33", ""], warn: ["#fc3", "#000"] };
      const [background, colour] = colours[status.level] || ["rgba(255, 255, 255, 0.2)", ""];
      badge.style.background = background;
      badge.style.color = colour;
    } catch {
      // The chat unreachable: the button still opens it, which will say so.
    }
  }

  doc.body.append(panel, launcher);
  refresh();
  setInterval(refresh, POLL_MS);
  doc.addEventListener("visibilitychange", refresh);
};
