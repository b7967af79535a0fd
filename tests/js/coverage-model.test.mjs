import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  averageHelpers,
  barWidth,
  describeCell,
  describeHour,
  grid,
  hourRange,
  LEVEL_BOUNDS,
  legend,
  level,
  load,
  neediest,
  weekdayName,
  weekdayShort,
} from "../../static/helpdesk/coverage-model.js";

function cell(fields) {
  return {
    weekday: 0,
    hour: 0,
    hours: 4,
    questions: 0,
    unattended: 0,
    sampled_hours: 4,
    helper_hours: 4,
    helpers_max: 1,
    ...fields,
  };
}

describe("grid", () => {
  it("is 7 rows of 24 cells, Monday first, even when the server leaves cells out", () => {
    const rows = grid([{ weekday: 6, hour: 23, questions: 5 }]);
    assert.equal(rows.length, 7);
    assert.ok(rows.every((row) => row.length === 24));
    assert.equal(rows[6][23].questions, 5);
    assert.equal(rows[6][23].sampled_hours, 0);
    assert.equal(rows[0][0].questions, 0);
    assert.deepEqual([rows[2][5].weekday, rows[2][5].hour], [2, 5]);
  });

  it("ignores cells outside the week", () => {
    const rows = grid([{ weekday: 7, hour: 0, questions: 1 }, { weekday: 0, hour: 24 }]);
    assert.equal(rows.flat().reduce((sum, c) => sum + c.questions, 0), 0);
    assert.equal(grid(null).length, 7);
  });
});

describe("load and level", () => {
  it("calls an hour without questions quiet, level 0", () => {
    assert.deepEqual(load(cell({})), { kind: "quiet", ratio: 0 });
    assert.equal(level(cell({ sampled_hours: 0 })), 0);
  });

  it("says unknown when helpers were never counted at that hour", () => {
    const c = cell({ questions: 3, sampled_hours: 0, helper_hours: 0 });
    assert.equal(load(c).kind, "unknown");
    assert.equal(level(c), "unknown");
    assert.equal(averageHelpers(c), null);
  });

  it("says uncovered when there were questions and never a helper", () => {
    const c = cell({ questions: 2, helper_hours: 0, helpers_max: 0 });
    assert.equal(load(c).kind, "uncovered");
    assert.equal(level(c), "uncovered");
  });

  it("divides the questions an hour by the helpers available on average", () => {
    // 8 questions over 4 Mondays at 14:00 is 2 an hour; 2 helpers on average: 1 each.
    const c = cell({ questions: 8, hours: 4, sampled_hours: 2, helper_hours: 4 });
    assert.equal(averageHelpers(c), 2);
    assert.deepEqual(load(c), { kind: "load", ratio: 1 });
  });

  it("maps the ratio onto levels 1 to 5 at the bounds", () => {
    const at = (ratio) => level(cell({ questions: ratio * 4, hours: 4, helper_hours: 4 }));
    assert.equal(at(0.25), 1);
    assert.equal(at(0.5), 2);
    assert.equal(at(0.75), 3);
    assert.equal(at(1), 3);
    assert.equal(at(2), 4);
    assert.equal(at(2.25), 5);
    assert.equal(LEVEL_BOUNDS.length, 4);
  });
});

describe("neediest", () => {
  it("puts uncovered hours first, by questions, then the most loaded", () => {
    const cells = [
      cell({ weekday: 0, hour: 1, questions: 8 }), // ratio 2
      cell({ weekday: 1, hour: 2, questions: 1, helper_hours: 0 }), // uncovered
      cell({ weekday: 2, hour: 3, questions: 5, helper_hours: 0 }), // uncovered, more
      cell({ weekday: 3, hour: 4, questions: 3, sampled_hours: 0 }), // unknown: left out
      cell({ weekday: 4, hour: 5 }), // quiet: left out
    ];
    const worst = neediest(cells);
    assert.deepEqual(
      worst.map((c) => [c.weekday, c.hour]),
      [
        [2, 3],
        [1, 2],
        [0, 1],
      ],
    );
    assert.equal(neediest(cells, 1).length, 1);
  });
});

describe("barWidth", () => {
  it("turns a share into a width in percent, clamped", () => {
    assert.equal(barWidth(0.456), 45.6);
    assert.equal(barWidth(1.2), 100);
    assert.equal(barWidth(-1), 0);
    assert.equal(barWidth(null), 0);
    assert.equal(barWidth(Number.NaN), 0);
  });
});

describe("words", () => {
  it("names the days Monday first and the hours as ranges", () => {
    assert.equal(weekdayName(0), "Monday");
    assert.equal(weekdayName(6), "Sunday");
    assert.equal(weekdayShort(2), "Wed");
    assert.equal(hourRange(9), "09:00–10:00");
    assert.equal(hourRange(23), "23:00–24:00");
  });

  it("describes each kind of cell in one sentence", () => {
    assert.equal(
      describeCell(cell({ questions: 1, helper_hours: 6, helpers_max: 3 })),
      "1 question; helpers available on average: 1.5 (at most 3).",
    );
    assert.equal(
      describeCell(cell({ questions: 2, helper_hours: 0 })),
      "2 questions; no helper was available.",
    );
    assert.equal(
      describeCell(cell({ questions: 2, sampled_hours: 0 })),
      "2 questions; helpers were not counted at this hour yet.",
    );
    assert.equal(
      describeCell(cell({ sampled_hours: 0 })),
      "0 questions; helpers were not counted.",
    );
  });

  it("names the hour in the list of the neediest", () => {
    const text = describeHour(cell({ weekday: 1, hour: 14, questions: 2, helper_hours: 0 }));
    assert.equal(text, "Tuesday 14:00–15:00 UTC: 2 questions; no helper was available.");
  });

  it("has a legend entry for every level the map can show", () => {
    const levels = legend().map((item) => item.level);
    assert.deepEqual(levels, [0, 1, 2, 3, 4, 5, "uncovered", "unknown"]);
    assert.equal(legend()[2].label, "0.25 to 0.5 questions an hour per available helper");
  });
});
