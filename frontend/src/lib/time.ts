/**
 * Times as people read them, always in the user's own zone (from /api/me/), never the
 * browser's. The backend stores UTC instants; it reads wall times without an offset
 * ("2026-03-06T09:00") and dates ("2026-03-06") in the user's zone, so that is what we send.
 */

import type { TimeFormat } from "./types";

export interface ZonedParts {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  /** 0–23 */
  hour: number;
  minute: number;
  /** 0 = Monday … 6 = Sunday */
  weekday: number;
}

export interface FormatOptions {
  now?: Date;
  /** BCP 47 locale for names and the 12/24-hour clock; the browser's when omitted. */
  locale?: string;
}

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The signed-in person's clock (their setting, which the backend's texts follow too);
 * undefined before sign-in: the locale's. */
let hour12: boolean | undefined;

/** Write every time from now on in `format` (the person's setting); undefined: the locale's. */
export function setTimeFormat(format: TimeFormat | undefined): void {
  hour12 = format === undefined ? undefined : format === "12h";
}

/** The browser's own clock, the setting a new account starts with. */
export function browserTimeFormat(): TimeFormat {
  try {
    return new Intl.DateTimeFormat(undefined, { hour: "numeric" }).resolvedOptions().hour12 ? "12h" : "24h";
  } catch {
    return "24h";
  }
}

function formatter(locale: string | undefined, options: Intl.DateTimeFormatOptions) {
  const key = `${locale ?? ""}|${JSON.stringify(options)}`;
  let cached = formatters.get(key);
  if (!cached) {
    cached = new Intl.DateTimeFormat(locale, options);
    formatters.set(key, cached);
  }
  return cached;
}

function toDate(instant: Date | string): Date {
  return typeof instant === "string" ? new Date(instant) : instant;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Every IANA zone the browser knows, for the settings picker. */
export function timeZones(): string[] {
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return zones.includes("UTC") ? zones : ["UTC", ...zones];
}

export function zonedParts(instant: Date | string, tz: string): ZonedParts {
  const parts = formatter("en-US", {
    timeZone: tz,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    weekday: "short",
  }).formatToParts(toDate(instant));
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  return {
    year: Number(get("year")),
    month: Number(get("month")),
    day: Number(get("day")),
    hour: Number(get("hour")) % 24,
    minute: Number(get("minute")),
    weekday: WEEKDAYS.indexOf(get("weekday")),
  };
}

/** "YYYY-MM-DD" of an instant in `tz`. */
export function toWallDate(instant: Date | string, tz: string): string {
  const p = zonedParts(instant, tz);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
}

/** "HH:MM" of an instant in `tz`. */
export function toWallTime(instant: Date | string, tz: string): string {
  const p = zonedParts(instant, tz);
  return `${pad(p.hour)}:${pad(p.minute)}`;
}

/** "YYYY-MM-DDTHH:MM", the local wall time the backend reads in the user's zone. */
export function toWallDateTime(instant: Date | string, tz: string): string {
  return `${toWallDate(instant, tz)}T${toWallTime(instant, tz)}`;
}

export function todayIn(tz: string, now: Date = new Date()): string {
  return toWallDate(now, tz);
}

function parseDate(date: string): [number, number, number] {
  const [y, m, d] = date.split("-").map(Number);
  return [y, m, d];
}

/** Whole calendar days from `from` to `to` ("YYYY-MM-DD" each). */
export function daysBetween(from: string, to: string): number {
  const [y1, m1, d1] = parseDate(from);
  const [y2, m2, d2] = parseDate(to);
  return Math.round((Date.UTC(y2, m2 - 1, d2) - Date.UTC(y1, m1 - 1, d1)) / 86_400_000);
}

export function addDays(date: string, days: number): string {
  const [y, m, d] = parseDate(date);
  const next = new Date(Date.UTC(y, m - 1, d + days));
  return `${pad(next.getUTCFullYear(), 4)}-${pad(next.getUTCMonth() + 1)}-${pad(next.getUTCDate())}`;
}

/** 0 = Monday … 6 = Sunday, of a calendar date. */
export function weekdayOf(date: string): number {
  const [y, m, d] = parseDate(date);
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The UTC instant of a wall time in `tz` (a time skipped by a DST change moves forward). */
export function wallToInstant(wall: string, tz: string): Date {
  const [date, time = "00:00"] = wall.split("T");
  const [y, m, d] = parseDate(date);
  const [hh, mm] = time.split(":").map(Number);
  const target = Date.UTC(y, m - 1, d, hh, mm);
  let guess = target;
  for (let i = 0; i < 3; i++) {
    const p = zonedParts(new Date(guess), tz);
    const shown = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
    if (shown === target) break;
    guess += target - shown;
  }
  return new Date(guess);
}

export function formatTime(instant: Date | string, tz: string, locale?: string): string {
  const clock = hour12 === undefined ? {} : { hour12 };
  return formatter(locale, { timeZone: tz, hour: "numeric", minute: "2-digit", ...clock }).format(toDate(instant));
}

/** "Today", "Tomorrow", "Yesterday", "Friday" (this week), or "Fri, Mar 6" (", 2027" another year). */
export function formatDay(instant: Date | string, tz: string, options: FormatOptions = {}): string {
  const now = options.now ?? new Date();
  const date = toWallDate(instant, tz);
  const diff = daysBetween(toWallDate(now, tz), date);
  if (diff === 0) return "Today";
  if (diff === 1) return "Tomorrow";
  if (diff === -1) return "Yesterday";
  if (diff > 1 && diff < 7) {
    return formatter(options.locale, { timeZone: tz, weekday: "long" }).format(toDate(instant));
  }
  const sameYear = zonedParts(instant, tz).year === zonedParts(now, tz).year;
  return formatter(options.locale, {
    timeZone: tz,
    weekday: "short",
    month: "short",
    day: "numeric",
    ...(sameYear ? {} : { year: "numeric" }),
  }).format(toDate(instant));
}

/** "Tue, Dec 1" (", 2027" in another year), without "Today" and friends: for lists of dates. */
export function formatDate(instant: Date | string, tz: string, options: FormatOptions = {}): string {
  const now = options.now ?? new Date();
  const sameYear = zonedParts(instant, tz).year === zonedParts(now, tz).year;
  return formatter(options.locale, {
    timeZone: tz,
    weekday: "short",
    month: "short",
    day: "numeric",
    ...(sameYear ? {} : { year: "numeric" }),
  }).format(toDate(instant));
}

/** An instant as "Today, 9:00 AM" / "Fri, Mar 6, 09:00" in the user's zone. */
export function formatDateTime(instant: Date | string, tz: string, options: FormatOptions = {}): string {
  return `${formatDay(instant, tz, options)}, ${formatTime(instant, tz, options.locale)}`;
}

/** A task's due: the day alone for an all-day task, the day and time otherwise. */
export function formatDue(
  due: { due_at: string | null; all_day: boolean },
  tz: string,
  options: FormatOptions = {},
): string {
  if (!due.due_at) return "No date";
  return due.all_day ? formatDay(due.due_at, tz, options) : formatDateTime(due.due_at, tz, options);
}

export function isOverdue(
  task: { due_at: string | null; completed: boolean },
  now: Date = new Date(),
): boolean {
  return !task.completed && task.due_at !== null && new Date(task.due_at).getTime() < now.getTime();
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** A reminder offset: "At due time", "15 min before", "1 hour before", "2 days before". */
export function formatOffset(minutes: number): string {
  if (minutes === 0) return "At due time";
  if (minutes % 10080 === 0) return `${plural(minutes / 10080, "week")} before`;
  if (minutes % 1440 === 0) return `${plural(minutes / 1440, "day")} before`;
  if (minutes % 60 === 0) return `${plural(minutes / 60, "hour")} before`;
  if (minutes < 60) return `${minutes} min before`;
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  return `${[days ? `${days} d` : "", hours ? `${hours} h` : "", mins ? `${mins} min` : ""]
    .filter(Boolean)
    .join(" ")} before`;
}

/** "just now", "5 min ago", "3 h ago", then the day and time. */
export function formatAgo(instant: Date | string, tz: string, options: FormatOptions = {}): string {
  const now = options.now ?? new Date();
  const seconds = (now.getTime() - toDate(instant).getTime()) / 1000;
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 6 * 3600) return `${Math.floor(seconds / 3600)} h ago`;
  return formatDateTime(instant, tz, options);
}

/** "GMT+1"-style offset of a zone now, for labels. */
export function zoneOffsetLabel(tz: string, now: Date = new Date()): string {
  try {
    const parts = formatter("en-US", { timeZone: tz, timeZoneName: "shortOffset" }).formatToParts(now);
    return parts.find((p) => p.type === "timeZoneName")?.value ?? "";
  } catch {
    return "";
  }
}

/**
 * The backend's plain-English rule, as shown to people. An all-day task is due at the end of
 * its day (23:59 in the user's zone), which the description states as a time ("at 23:59" or
 * "at 11:59 PM"); leave it out.
 */
export function ruleText(description: string, allDay: boolean): string {
  return allDay ? description.replace(/ at (?:23:59|11:59 PM)(?=,|$)/, "") : description;
}
