import { describe, expect, it } from "vitest";
import { buildRule, defaultChoices, parseRule, type RecurrenceChoices } from "./recurrence";

// Tuesday, December 1, 2026
const DUE = "2026-12-01";

function choices(changes: Partial<RecurrenceChoices>): RecurrenceChoices {
  return { ...defaultChoices(DUE), ...changes };
}

describe("defaultChoices", () => {
  it("takes the weekday, day of month and week of the due date", () => {
    const c = defaultChoices("2026-12-25"); // the fourth Friday
    expect(c).toMatchObject({ kind: "none", weekdays: ["FR"], monthDay: 25, nth: 4, nthWeekday: "FR", month: 12, yearDay: 25 });
  });

  it("calls a fifth weekday the last one", () => {
    expect(defaultChoices("2026-12-29").nth).toBe(-1);
  });

  it("ends a month later by default, clamped to that month's length", () => {
    expect(defaultChoices("2027-01-31").until).toBe("2027-02-28");
    expect(defaultChoices("2026-12-15").until).toBe("2027-01-15");
  });
});

describe("buildRule", () => {
  it.each<[string, Partial<RecurrenceChoices>, string | null]>([
    ["none", { kind: "none" }, null],
    ["daily", { kind: "daily" }, "FREQ=DAILY"],
    ["every 3 days", { kind: "daily", interval: 3 }, "FREQ=DAILY;INTERVAL=3"],
    ["weekdays", { kind: "weekdays", interval: 4 }, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"],
    ["weekly on chosen days, in week order", { kind: "weekly", weekdays: ["FR", "MO", "WE"] }, "FREQ=WEEKLY;BYDAY=MO,WE,FR"],
    ["every other week", { kind: "weekly", interval: 2, weekdays: ["TU"] }, "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"],
    ["monthly on day N", { kind: "monthly", monthlyMode: "day", monthDay: 1 }, "FREQ=MONTHLY;BYMONTHDAY=1"],
    ["monthly on the last day", { kind: "monthly", monthlyMode: "day", monthDay: -1 }, "FREQ=MONTHLY;BYMONTHDAY=-1"],
    ["monthly on the 2nd Monday", { kind: "monthly", monthlyMode: "weekday", nth: 2, nthWeekday: "MO" }, "FREQ=MONTHLY;BYDAY=2MO"],
    ["monthly on the last Friday", { kind: "monthly", monthlyMode: "weekday", nth: -1, nthWeekday: "FR" }, "FREQ=MONTHLY;BYDAY=-1FR"],
    ["yearly", { kind: "yearly", month: 3, yearDay: 6 }, "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=6"],
    ["ends after N times", { kind: "daily", ends: "after", count: 5 }, "FREQ=DAILY;COUNT=5"],
    ["ends on a date", { kind: "weekly", weekdays: ["MO"], ends: "on", until: "2027-06-30" }, "FREQ=WEEKLY;BYDAY=MO;UNTIL=20270630"],
    ["custom, cleaned", { kind: "custom", custom: " RRULE:FREQ=DAILY;BYHOUR=9,18 " }, "FREQ=DAILY;BYHOUR=9,18"],
    ["custom, empty", { kind: "custom", custom: "  " }, null],
  ])("%s", (_name, changes, rule) => {
    expect(buildRule(choices(changes))).toBe(rule);
  });

  it("never writes an interval below 1", () => {
    expect(buildRule(choices({ kind: "daily", interval: 0 }))).toBe("FREQ=DAILY");
    expect(buildRule(choices({ kind: "daily", ends: "after", count: 0 }))).toBe("FREQ=DAILY;COUNT=1");
  });
});

describe("parseRule", () => {
  it("reads no rule as 'does not repeat'", () => {
    expect(parseRule(null, DUE).kind).toBe("none");
    expect(parseRule("", DUE).kind).toBe("none");
  });

  it.each<[string, Partial<RecurrenceChoices>]>([
    ["FREQ=DAILY", { kind: "daily", interval: 1 }],
    ["FREQ=DAILY;INTERVAL=2", { kind: "daily", interval: 2 }],
    ["FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", { kind: "weekdays" }],
    ["FREQ=WEEKLY;BYDAY=FR,TH,WE,TU,MO", { kind: "weekdays" }],
    ["FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TU,WE,TH,FR", { kind: "weekly", interval: 2, weekdays: ["MO", "TU", "WE", "TH", "FR"] }],
    ["FREQ=WEEKLY;BYDAY=SA,SU", { kind: "weekly", weekdays: ["SA", "SU"] }],
    ["FREQ=WEEKLY", { kind: "weekly", weekdays: ["TU"] }],
    ["FREQ=MONTHLY;BYMONTHDAY=1", { kind: "monthly", monthlyMode: "day", monthDay: 1 }],
    ["FREQ=MONTHLY", { kind: "monthly", monthlyMode: "day", monthDay: 1 }],
    ["FREQ=MONTHLY;BYMONTHDAY=-1", { kind: "monthly", monthDay: -1 }],
    ["FREQ=MONTHLY;BYDAY=1MO", { kind: "monthly", monthlyMode: "weekday", nth: 1, nthWeekday: "MO" }],
    ["FREQ=MONTHLY;BYDAY=+3WE", { kind: "monthly", monthlyMode: "weekday", nth: 3, nthWeekday: "WE" }],
    ["FREQ=MONTHLY;BYDAY=-1FR", { kind: "monthly", monthlyMode: "weekday", nth: -1, nthWeekday: "FR" }],
    ["FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1", { kind: "monthly", monthlyMode: "weekday", nth: -1, nthWeekday: "FR" }],
    ["FREQ=YEARLY", { kind: "yearly", month: 12, yearDay: 1 }],
    ["FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=6", { kind: "yearly", month: 3, yearDay: 6 }],
    ["FREQ=DAILY;COUNT=5", { kind: "daily", ends: "after", count: 5 }],
    ["FREQ=DAILY;UNTIL=20270101", { kind: "daily", ends: "on", until: "2027-01-01" }],
    ["RRULE:freq=daily;wkst=MO", { kind: "daily" }],
  ])("%s", (rule, expected) => {
    expect(parseRule(rule, DUE)).toMatchObject(expected);
  });

  it.each([
    "FREQ=HOURLY",
    "FREQ=DAILY;BYHOUR=9,18",
    "FREQ=WEEKLY;BYDAY=1MO",
    "FREQ=WEEKLY;BYDAY=MO,MO",
    "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
    "FREQ=MONTHLY;BYDAY=5MO",
    "FREQ=MONTHLY;BYDAY=1MO,3MO",
    "FREQ=MONTHLY;BYMONTHDAY=1,15",
    "FREQ=MONTHLY;BYMONTHDAY=-2",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=YEARLY;BYMONTH=3",
    "FREQ=DAILY;COUNT=3;UNTIL=20270101",
    "FREQ=DAILY;UNTIL=20270101T000000Z",
    "FREQ=DAILY;INTERVAL=0",
    "FREQ=DAILY;WKST=SU",
    "FREQ=DAILY;FREQ=WEEKLY",
    "garbage",
  ])("keeps %s as a custom rule, text intact", (rule) => {
    const parsed = parseRule(rule, DUE);
    expect(parsed.kind).toBe("custom");
    expect(parsed.custom).toBe(rule);
    expect(buildRule(parsed)).toBe(rule);
  });

  it("gives back, for every rule the picker builds, the choices it was built from", () => {
    const cases: Partial<RecurrenceChoices>[] = [
      { kind: "daily", interval: 3, ends: "after", count: 7 },
      { kind: "weekdays" },
      { kind: "weekly", interval: 2, weekdays: ["MO", "WE", "FR"], ends: "on", until: "2027-03-31" },
      { kind: "monthly", monthlyMode: "day", monthDay: 15 },
      { kind: "monthly", monthlyMode: "day", monthDay: -1, interval: 3 },
      { kind: "monthly", monthlyMode: "weekday", nth: -1, nthWeekday: "SU" },
      { kind: "monthly", monthlyMode: "weekday", nth: 2, nthWeekday: "TH", ends: "after", count: 12 },
      { kind: "yearly", month: 2, yearDay: 29 },
    ];
    for (const changes of cases) {
      const built = choices(changes);
      const rule = buildRule(built);
      expect(parseRule(rule, DUE), rule ?? "none").toMatchObject(changes);
      expect(buildRule(parseRule(rule, DUE))).toBe(rule);
    }
  });
});
