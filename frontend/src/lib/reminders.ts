import { daysBetween, formatDay, formatOffset, formatTime, toWallDate, wallToInstant, type FormatOptions } from "./time";
import type { Reminder, Task } from "./types";

/** From this many minutes on, an offset of no whole days that fires on an earlier day is
 * shown by its day and time ("The day before, 8:00 PM"), as the chat says it. */
const BY_THE_CLOCK_MINUTES = 12 * 60;

/** An all-day task's reminders count back from this wall time on its day (the backend's
 * `services.ALL_DAY_REMINDER_TIME`): "1 day before" is 9:00 the day before, never 23:59. */
export const ALL_DAY_REMINDER_TIME = "09:00";

/** ALL_DAY_REMINDER_TIME as the person's clock says it: "9:00 AM", "09:00". */
export function allDayReminderTime(tz: string, locale?: string): string {
  return formatTime(wallToInstant(`2026-01-15T${ALL_DAY_REMINDER_TIME}`, tz), tz, locale);
}

/** The reminder offsets offered everywhere (task panel, settings), in minutes before the due. */
export const REMINDER_PRESETS: readonly number[] = [0, 5, 15, 30, 60, 1440];

/** A reminder's moment as a sentence says it: "Today at 8:15 PM", "Fri, Mar 6 at 9:00 AM". */
export function reminderMoment(instant: Date | string, tz: string, options: FormatOptions = {}): string {
  return `${formatDay(instant, tz, options)} at ${formatTime(instant, tz, options.locale)}`;
}

/** "1 day before", "Fri, Mar 6 at 9:00 AM", "Snoozed to today at 9:10 AM"; for an all-day
 * task's relative reminder, its day and time: "The day before, 9:00 AM", "On the day, 8:45 AM". */
export function reminderLabel(reminder: Reminder, tz: string, options: FormatOptions = {}, allDay = false): string {
  const offset = reminder.offset_minutes;
  if (offset !== null && allDay) {
    const fires = new Date(reminder.fire_at);
    const day = new Date(fires.getTime() + offset * 60_000);
    const days = daysBetween(toWallDate(fires, tz), toWallDate(day, tz));
    const lead = days === 0 ? "On the day" : days === 1 ? "The day before" : `${days} days before`;
    return `${lead}, ${formatTime(fires, tz, options.locale)}`;
  }
  if (offset !== null && offset >= BY_THE_CLOCK_MINUTES && offset % 1440 !== 0) {
    const fires = new Date(reminder.fire_at);
    const due = new Date(fires.getTime() + offset * 60_000);
    const days = daysBetween(toWallDate(fires, tz), toWallDate(due, tz));
    if (days >= 1) {
      const lead = days === 1 ? "The day before" : `${days} days before`;
      return `${lead}, ${formatTime(fires, tz, options.locale)}`;
    }
  }
  if (offset !== null) return formatOffset(offset);
  const when = reminderMoment(reminder.fire_at, tz, options);
  if (reminder.snoozed_from === null) return when;
  return `Snoozed to ${/^(Today|Tomorrow|Yesterday) /.test(when) ? when[0].toLowerCase() + when.slice(1) : when}`;
}

/** The reminders still to come, soonest first. */
export function upcomingReminders(task: Pick<Task, "reminders">): Reminder[] {
  return task.reminders
    .filter((r) => r.status === "pending")
    .sort((a, b) => a.fire_at.localeCompare(b.fire_at));
}
