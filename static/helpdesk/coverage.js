// The coverage page: bars for the shares answered within 10 minutes, an hour and a day,
// and the heat map of questions against helpers per hour of the week. The figures come
// with the page (#coverage-data, helpdesk.coverage); what to draw is decided in
// coverage-model.js, which has no DOM.
//
// The heat map is a table: a row per weekday, a column per hour, the number of questions
// in each cell and a sentence for screen readers, so the table is its own text
// alternative; colour and pattern only repeat what the words say.

import { el } from "../livechat/dom.js";
import { gettext } from "../livechat/i18n.js";
import {
  barWidth,
  describeCell,
  describeHour,
  grid,
  HOURS,
  hourRange,
  legend,
  level,
  neediest,
  weekdayName,
  weekdayShort,
} from "./coverage-model.js";

function levelClass(value) {
  // Two class names (a base and its level), not words.
  return ["heat", `heat-${value}`].join(" ");
}

function drawBars(data) {
  for (const row of document.querySelectorAll("#coverage-shares tr[data-seconds]")) {
    const within = data.within.find((item) => String(item.seconds) === row.dataset.seconds);
    const cell = row.querySelector(".share-cell");
    if (!within || !cell) continue;
    const fill = el("span", { class: "share-fill" });
    fill.style.width = `${barWidth(within.share)}%`;
    // The number next to it says the same: the bar is decoration for screen readers.
    cell.append(el("span", { class: "share-bar", "aria-hidden": "true" }, fill));
  }
}

function heatTable(rows) {
  const head = el(
    "tr",
    {},
    el("td", { class: "heat-corner" }),
    Array.from({ length: HOURS }, (_, hour) =>
      el(
        "th",
        { scope: "col", class: "heat-hour", title: hourRange(hour), "aria-label": hourRange(hour) },
        String(hour).padStart(2, "0"),
      ),
    ),
  );
  const body = rows.map((cells, weekday) =>
    el(
      "tr",
      {},
      el(
        "th",
        { scope: "row", class: "heat-day", "aria-label": weekdayName(weekday) },
        weekdayShort(weekday),
      ),
      cells.map((cell) => {
        const words = describeCell(cell);
        return el(
          "td",
          { class: levelClass(level(cell)), title: words },
          el("span", { "aria-hidden": "true" }, cell.questions ? String(cell.questions) : ""),
          el("span", { class: "visually-hidden" }, words),
        );
      }),
    ),
  );
  return el(
    "table",
    { class: "heatmap", "aria-describedby": "heatmap-help" },
    el(
      "caption",
      { class: "visually-hidden" },
      gettext("Questions and helpers by hour of the week (UTC)"),
    ),
    el("thead", {}, head),
    el("tbody", {}, body),
  );
}

function drawLegend(container) {
  container.replaceChildren(
    el(
      "ul",
      { class: "heat-legend" },
      legend().map((item) =>
        el(
          "li",
          {},
          el("span", { class: `heat-swatch ${levelClass(item.level)}`, "aria-hidden": "true" }),
          item.label,
        ),
      ),
    ),
  );
}

function drawNeediest(container, cells) {
  const worst = neediest(cells);
  if (!worst.length) {
    container.replaceChildren(
      el("p", { class: "muted" }, gettext("No hour of the week stands out in this period.")),
    );
    return;
  }
  container.replaceChildren(
    el("h3", {}, gettext("Where helpers are missing most")),
    el(
      "ol",
      { class: "heat-needs" },
      worst.map((cell) => el("li", {}, describeHour(cell))),
    ),
  );
}

function main() {
  const source = document.getElementById("coverage-data");
  if (!source) return;
  const data = JSON.parse(source.textContent);
  drawBars(data);
  const rows = grid(data.heatmap.cells);
  const map = document.getElementById("coverage-heatmap");
  map.replaceChildren(heatTable(rows));
  drawLegend(document.getElementById("heatmap-legend"));
  drawNeediest(document.getElementById("heatmap-needs"), rows.flat());
}

main();
