import { describe, expect, it } from "vitest";
import { allDayReminderTime, reminderLabel } from "./reminders";
import type { Reminder } from "./types";

const NY = "America/New_York";
const NOW = new Date("2026-11-26T15:00:00Z"); // Thursday, 10:00 in New York

function label(fire_at: string, offset_minutes: number | null, snoozed_from: number | null = null, locale = "en-US") {
  const reminder: Reminder = { id: 1, fire_at, offset_minutes, status: "pending", fired_at: null, snoozed_from };
  return reminderLabel(reminder, NY, { now: NOW, locale });
}

describe("reminder labels", () => {
  it("says a round offset as a length of time", () => {
    // Due Tue Dec 1 at 15:30 (20:30Z).
    expect(label("2026-11-30T20:30:00Z", 1440)).toBe("1 day before");
    expect(label("2026-12-01T19:30:00Z", 60)).toBe("1 hour before");
  });

  it("says the night before by its day and time, not as 19 h 30 min", () => {
    // Due Tue Dec 1 at 15:30; the reminder at 20:00 the evening before (01:00Z).
    expect(label("2026-12-01T01:00:00Z", 1170)).toBe("The day before, 8:00 PM");
    expect(label("2026-11-29T23:00:00Z", 2790, null, "en-GB")).toBe("2 days before, 18:00");
  });

  it("keeps a long offset that stays on the due day as a length of time", () => {
    // Due Tue Dec 1 at 23:00 (04:00Z Dec 2); 13 hours 30 minutes before is 09:30 the same day.
    expect(label("2026-12-01T14:30:00Z", 810)).toBe("13 h 30 min before");
  });

  it("says a fixed time or a snooze by its day and time", () => {
    // "At Today, 8:15 PM" read oddly (a UX review): the day, then the time, as said
    expect(label("2026-11-27T14:00:00Z", null)).toBe("Tomorrow at 9:00 AM");
    expect(label("2026-11-26T15:10:00Z", null, 7)).toBe("Snoozed to today at 10:10 AM");
  });
});

describe("reminder labels of an all-day task", () => {
  function allDay(fire_at: string, offset_minutes: number, locale = "en-US") {
    const reminder: Reminder = { id: 1, fire_at, offset_minutes, status: "pending", fired_at: null, snoozed_from: null };
    return reminderLabel(reminder, NY, { now: NOW, locale }, true);
  }

  it("says the day and time it fires, counted from 9:00 on the task's day", () => {
    // Due all day Tue Dec 1: 9:00 that day is 14:00Z.
    expect(allDay("2026-12-01T14:00:00Z", 0)).toBe("On the day, 9:00 AM");
    expect(allDay("2026-11-30T14:00:00Z", 1440)).toBe("The day before, 9:00 AM");
    expect(allDay("2026-12-01T13:45:00Z", 15, "en-GB")).toBe("On the day, 8:45");
    expect(allDay("2026-11-29T14:00:00Z", 2880)).toBe("2 days before, 9:00 AM");
  });

  it("names the time reminders of a task without a time count from", () => {
    expect(allDayReminderTime(NY, "en-US")).toBe("9:00 AM");
    expect(allDayReminderTime(NY, "en-GB")).toBe("9:00");
  });
});
