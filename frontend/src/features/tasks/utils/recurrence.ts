/**
 * The recurrence picker's model: choices a person makes ⇄ the RFC 5545 RRULE the backend
 * stores. `buildRule` writes only what `parseRule` reads back; a rule the picker cannot show
 * faithfully (BYHOUR, several nth weekdays, an UNTIL with a time, …) opens as "custom" with its
 * text intact, so nothing is lost by opening and saving a task.
 */
import { daysInMonth, weekdayOf } from "../../../lib/time";

export const WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export const WORKDAYS: readonly Weekday[] = ["MO", "TU", "WE", "TH", "FR"];

export const WEEKDAY_NAMES: Record<Weekday, string> = {
  MO: "Monday",
  TU: "Tuesday",
  WE: "Wednesday",
  TH: "Thursday",
  FR: "Friday",
  SA: "Saturday",
  SU: "Sunday",
};

export type RepeatKind = "none" | "daily" | "weekdays" | "weekly" | "monthly" | "yearly" | "custom";
export type MonthlyMode = "day" | "weekday";
export type Ends = "never" | "on" | "after";
export type Nth = 1 | 2 | 3 | 4 | -1;
export const NTHS: readonly Nth[] = [1, 2, 3, 4, -1];

export interface RecurrenceChoices {
  kind: RepeatKind;
  /** Every N days / weeks / months / years. */
  interval: number;
  /** Weekly: the days it repeats on. */
  weekdays: Weekday[];
  /** Monthly: on day N, or on the nth weekday. */
  monthlyMode: MonthlyMode;
  /** 1–31, or -1 for the last day of the month. */
  monthDay: number;
  nth: Nth;
  nthWeekday: Weekday;
  /** Yearly: month 1–12 and day of month. */
  month: number;
  yearDay: number;
  ends: Ends;
  /** Ends on this date ("YYYY-MM-DD"), inclusive. */
  until: string;
  /** Ends after this many occurrences. */
  count: number;
  /** Custom: the RRULE text as typed. */
  custom: string;
}

function isoDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** Sensible choices for a task due on `dueDate` ("YYYY-MM-DD"): its weekday, day of month, … */
export function defaultChoices(dueDate: string | null, today?: string): RecurrenceChoices {
  const date = dueDate ?? today ?? new Date().toISOString().slice(0, 10);
  const [year, month, day] = date.split("-").map(Number);
  const weekday = WEEKDAYS[weekdayOf(date)];
  const week = Math.ceil(day / 7);
  const untilMonth = month === 12 ? 1 : month + 1;
  const untilYear = month === 12 ? year + 1 : year;
  return {
    kind: "none",
    interval: 1,
    weekdays: [weekday],
    monthlyMode: "day",
    monthDay: day,
    nth: week <= 4 ? (week as Nth) : -1,
    nthWeekday: weekday,
    month,
    yearDay: day,
    ends: "never",
    until: isoDate(untilYear, untilMonth, Math.min(day, daysInMonth(untilYear, untilMonth))),
    count: 10,
    custom: "",
  };
}

function sortWeekdays(days: Iterable<Weekday>): Weekday[] {
  const set = new Set(days);
  return WEEKDAYS.filter((d) => set.has(d));
}

export function cleanCustomRule(text: string): string {
  return text
    .trim()
    .replace(/^RRULE:/i, "")
    .replace(/\s+/g, "");
}

/** The RRULE for the choices, or null for "does not repeat". */
export function buildRule(c: RecurrenceChoices): string | null {
  if (c.kind === "none") return null;
  if (c.kind === "custom") return cleanCustomRule(c.custom) || null;
  const interval = Math.max(1, Math.floor(c.interval) || 1);
  const parts: string[] = [];
  const every = (freq: string) => {
    parts.push(`FREQ=${freq}`);
    if (interval > 1) parts.push(`INTERVAL=${interval}`);
  };
  switch (c.kind) {
    case "daily":
      every("DAILY");
      break;
    case "weekdays":
      parts.push("FREQ=WEEKLY", `BYDAY=${WORKDAYS.join(",")}`);
      break;
    case "weekly": {
      every("WEEKLY");
      const days = sortWeekdays(c.weekdays);
      if (days.length) parts.push(`BYDAY=${days.join(",")}`);
      break;
    }
    case "monthly":
      every("MONTHLY");
      if (c.monthlyMode === "day") parts.push(`BYMONTHDAY=${c.monthDay}`);
      else parts.push(`BYDAY=${c.nth}${c.nthWeekday}`);
      break;
    case "yearly":
      every("YEARLY");
      parts.push(`BYMONTH=${c.month}`, `BYMONTHDAY=${c.yearDay}`);
      break;
  }
  if (c.ends === "after") parts.push(`COUNT=${Math.max(1, Math.floor(c.count) || 1)}`);
  if (c.ends === "on" && /^\d{4}-\d{2}-\d{2}$/.test(c.until)) {
    parts.push(`UNTIL=${c.until.replaceAll("-", "")}`);
  }
  return parts.join(";");
}

const KNOWN_KEYS = new Set(["FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "COUNT", "UNTIL", "WKST"]);

function isWeekday(value: string): value is Weekday {
  return (WEEKDAYS as readonly string[]).includes(value);
}

function toNth(value: number): Nth | null {
  return value === -1 || (value >= 1 && value <= 4) ? (value as Nth) : null;
}

const positiveInt = (value: string) => (/^\d+$/.test(value) && Number(value) >= 1 ? Number(value) : null);

/**
 * The choices a rule stands for, defaults taken from the task's due date. Anything the picker
 * cannot express comes back as `kind: "custom"` with the rule text.
 */
export function parseRule(rule: string | null | undefined, dueDate: string | null, today?: string): RecurrenceChoices {
  const base = defaultChoices(dueDate, today);
  if (!rule || !rule.trim()) return base;
  const text = cleanCustomRule(rule);
  const custom: RecurrenceChoices = { ...base, kind: "custom", custom: text };

  const fields = new Map<string, string>();
  for (const part of text.toUpperCase().split(";")) {
    if (!part) continue;
    const [key, value, extra] = part.split("=");
    if (extra !== undefined || !key || !value || !KNOWN_KEYS.has(key) || fields.has(key)) return custom;
    fields.set(key, value);
  }
  const take = (key: string) => {
    const value = fields.get(key);
    fields.delete(key);
    return value;
  };

  const freq = take("FREQ");
  const wkst = take("WKST");
  if (wkst !== undefined && wkst !== "MO") return custom;

  const choices: RecurrenceChoices = { ...base };
  const interval = take("INTERVAL");
  if (interval !== undefined) {
    const n = positiveInt(interval);
    if (n === null) return custom;
    choices.interval = n;
  }
  const count = take("COUNT");
  const until = take("UNTIL");
  if (count !== undefined && until !== undefined) return custom;
  if (count !== undefined) {
    const n = positiveInt(count);
    if (n === null) return custom;
    choices.ends = "after";
    choices.count = n;
  }
  if (until !== undefined) {
    const match = /^(\d{4})(\d{2})(\d{2})$/.exec(until);
    if (!match) return custom; // an UNTIL with a time of day: keep it exact, as custom
    choices.ends = "on";
    choices.until = `${match[1]}-${match[2]}-${match[3]}`;
  }

  const byday = take("BYDAY");
  const bymonthday = take("BYMONTHDAY");
  const bymonth = take("BYMONTH");
  const bysetpos = take("BYSETPOS");
  if (fields.size) return custom;

  switch (freq) {
    case "DAILY":
      if (byday || bymonthday || bymonth || bysetpos) return custom;
      return { ...choices, kind: "daily" };
    case "WEEKLY": {
      if (bymonthday || bymonth || bysetpos) return custom;
      if (byday === undefined) return { ...choices, kind: "weekly" };
      const days = byday.split(",");
      if (!days.every(isWeekday) || new Set(days).size !== days.length) return custom;
      const sorted = sortWeekdays(days);
      if (choices.interval === 1 && sorted.join(",") === WORKDAYS.join(",")) {
        return { ...choices, kind: "weekdays" };
      }
      return { ...choices, kind: "weekly", weekdays: sorted };
    }
    case "MONTHLY": {
      if (bymonth) return custom;
      if (bymonthday !== undefined) {
        if (byday || bysetpos) return custom;
        const day = Number(bymonthday);
        if (!/^-?\d+$/.test(bymonthday) || !(day === -1 || (day >= 1 && day <= 31))) return custom;
        return { ...choices, kind: "monthly", monthlyMode: "day", monthDay: day };
      }
      if (byday === undefined) {
        if (bysetpos) return custom;
        return { ...choices, kind: "monthly", monthlyMode: "day" };
      }
      const match = /^([+-]?\d)?(MO|TU|WE|TH|FR|SA|SU)$/.exec(byday);
      if (!match) return custom;
      const [, ordinal, weekday] = match;
      if ((ordinal === undefined) === (bysetpos === undefined)) return custom;
      const nth = toNth(Number(ordinal ?? bysetpos));
      if (nth === null || (bysetpos !== undefined && !/^[+-]?\d$/.test(bysetpos))) return custom;
      return { ...choices, kind: "monthly", monthlyMode: "weekday", nth, nthWeekday: weekday as Weekday };
    }
    case "YEARLY": {
      if (byday || bysetpos) return custom;
      if (bymonth === undefined && bymonthday === undefined) return { ...choices, kind: "yearly" };
      const month = bymonth === undefined ? null : positiveInt(bymonth);
      const day = bymonthday === undefined ? null : positiveInt(bymonthday);
      if (month === null || day === null || month > 12 || day > daysInMonth(2024, month)) return custom;
      return { ...choices, kind: "yearly", month, yearDay: day };
    }
    default:
      return custom;
  }
}

export const NTH_LABELS: Record<string, string> = {
  "1": "first",
  "2": "second",
  "3": "third",
  "4": "fourth",
  "-1": "last",
};

export const MONTH_NAMES = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
