import { describe, expect, it } from "vitest";
import {
  addDays,
  daysBetween,
  formatAgo,
  formatDate,
  formatDay,
  formatDue,
  formatOffset,
  formatTime,
  isOverdue,
  ruleText,
  setTimeFormat,
  toWallDate,
  toWallDateTime,
  toWallTime,
  wallToInstant,
  weekdayOf,
  zonedParts,
} from "./time";

const NY = "America/New_York";
const TOKYO = "Asia/Tokyo";
// Thursday, November 26, 2026, 10:00 in New York
const NOW = new Date("2026-11-26T15:00:00Z");
const US = { now: NOW, locale: "en-US" };
const GB = { now: NOW, locale: "en-GB" };

describe("wall times in the user's zone", () => {
  it("shows one instant as each zone's own date and time", () => {
    const instant = "2026-12-01T14:00:00Z";
    expect(toWallDateTime(instant, NY)).toBe("2026-12-01T09:00");
    expect(toWallDateTime(instant, TOKYO)).toBe("2026-12-01T23:00");
    expect(toWallDateTime(instant, "Pacific/Kiritimati")).toBe("2026-12-02T04:00");
  });

  it("writes midnight as 00:00, not 24:00", () => {
    expect(toWallTime("2026-12-01T05:00:00Z", NY)).toBe("00:00");
  });

  it("follows daylight saving: 9am stays 9am", () => {
    expect(toWallTime("2026-03-06T14:00:00Z", NY)).toBe("09:00"); // EST, UTC-5
    expect(toWallTime("2026-03-09T13:00:00Z", NY)).toBe("09:00"); // EDT, UTC-4
  });

  it("puts an all-day task (due 23:59:59 local) on its own date", () => {
    expect(toWallDate("2026-12-02T04:59:59Z", NY)).toBe("2026-12-01");
  });

  it("turns a wall time back into the instant, across DST", () => {
    expect(wallToInstant("2026-12-01T09:00", NY).toISOString()).toBe("2026-12-01T14:00:00.000Z");
    expect(wallToInstant("2026-07-01T09:00", NY).toISOString()).toBe("2026-07-01T13:00:00.000Z");
    expect(wallToInstant("2026-12-01T09:00", TOKYO).toISOString()).toBe("2026-12-01T00:00:00.000Z");
  });

  it("knows weekdays and calendar arithmetic", () => {
    expect(zonedParts("2026-12-01T14:00:00Z", NY).weekday).toBe(1); // Tuesday
    expect(weekdayOf("2026-12-01")).toBe(1);
    expect(weekdayOf("2026-11-29")).toBe(6); // Sunday
    expect(daysBetween("2026-12-30", "2027-01-02")).toBe(3);
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2026-03-07", 1)).toBe("2026-03-08"); // a DST change day
  });
});

describe("formatting", () => {
  it("names nearby days", () => {
    expect(formatDay("2026-11-26T23:00:00Z", NY, US)).toBe("Today");
    expect(formatDay("2026-11-27T15:00:00Z", NY, US)).toBe("Tomorrow");
    expect(formatDay("2026-11-25T15:00:00Z", NY, US)).toBe("Yesterday");
    expect(formatDay("2026-12-01T14:00:00Z", NY, US)).toBe("Tuesday");
    expect(formatDay("2026-12-10T14:00:00Z", NY, US)).toBe("Thu, Dec 10");
    expect(formatDay("2027-01-01T14:00:00Z", NY, US)).toBe("Fri, Jan 1, 2027");
  });

  it("decides 'today' in the user's zone, not the browser's", () => {
    // Now it is already the 27th in Tokyo; 14:00Z is 23:00 on the 26th there, 09:00 in New York.
    expect(formatDay("2026-11-26T14:00:00Z", TOKYO, US)).toBe("Yesterday");
    expect(formatDay("2026-11-26T14:00:00Z", NY, US)).toBe("Today");
  });

  it("uses the locale's clock", () => {
    expect(formatTime("2026-12-01T14:00:00Z", NY, "en-US")).toBe("9:00 AM");
    expect(formatTime("2026-12-01T14:00:00Z", NY, "en-GB")).toMatch(/^0?9:00$/);
    expect(formatTime("2026-12-01T22:00:00Z", NY, "en-GB")).toBe("17:00");
  });

  it("uses the person's clock once it is set, as the backend's texts do", () => {
    try {
      setTimeFormat("24h");
      expect(formatTime("2026-12-01T14:00:00Z", NY, "en-US")).toBe("09:00");
      expect(formatDue({ due_at: "2026-11-27T22:00:00Z", all_day: false }, NY, US)).toBe("Tomorrow, 17:00");
      setTimeFormat("12h");
      expect(formatTime("2026-12-01T22:00:00Z", NY, "en-US")).toBe("5:00 PM");
    } finally {
      setTimeFormat(undefined);
    }
    expect(formatTime("2026-12-01T14:00:00Z", NY, "en-US")).toBe("9:00 AM");
  });

  it("shows a due with its time, or the day alone when all-day", () => {
    expect(formatDue({ due_at: "2026-11-27T22:00:00Z", all_day: false }, NY, US)).toBe("Tomorrow, 5:00 PM");
    expect(formatDue({ due_at: "2026-12-10T22:00:00Z", all_day: false }, NY, GB)).toBe("Thu 10 Dec, 17:00");
    expect(formatDue({ due_at: "2026-12-02T04:59:59Z", all_day: true }, NY, US)).toBe("Tuesday");
    expect(formatDue({ due_at: null, all_day: false }, NY, US)).toBe("No date");
  });

  it("lists dates without relative names", () => {
    expect(formatDate("2026-11-27T15:00:00Z", NY, US)).toBe("Fri, Nov 27");
  });

  it("describes reminder offsets", () => {
    expect([0, 5, 15, 60, 90, 120, 1440, 2880, 10080, 1530].map(formatOffset)).toEqual([
      "At due time",
      "5 min before",
      "15 min before",
      "1 hour before",
      "1 h 30 min before",
      "2 hours before",
      "1 day before",
      "2 days before",
      "1 week before",
      "1 d 1 h 30 min before",
    ]);
  });

  it("says how long ago", () => {
    expect(formatAgo("2026-11-26T14:59:30Z", NY, US)).toBe("just now");
    expect(formatAgo("2026-11-26T14:45:00Z", NY, US)).toBe("15 min ago");
    expect(formatAgo("2026-11-26T12:00:00Z", NY, US)).toBe("3 h ago");
    expect(formatAgo("2026-11-25T12:00:00Z", NY, US)).toBe("Yesterday, 7:00 AM");
  });

  it("knows what is overdue", () => {
    expect(isOverdue({ due_at: "2026-11-26T14:00:00Z", completed: false }, NOW)).toBe(true);
    expect(isOverdue({ due_at: "2026-11-26T14:00:00Z", completed: true }, NOW)).toBe(false);
    expect(isOverdue({ due_at: "2026-11-26T16:00:00Z", completed: false }, NOW)).toBe(false);
    expect(isOverdue({ due_at: null, completed: false }, NOW)).toBe(false);
  });

  it("leaves the end-of-day time out of an all-day task's rule", () => {
    expect(ruleText("every Monday and Wednesday at 23:59", true)).toBe("every Monday and Wednesday");
    expect(ruleText("every day at 23:59, 5 times", true)).toBe("every day, 5 times");
    expect(ruleText("every day at 23:59", false)).toBe("every day at 23:59");
    expect(ruleText("every Friday at 11:59 PM, 3 times", true)).toBe("every Friday, 3 times");
  });
});
