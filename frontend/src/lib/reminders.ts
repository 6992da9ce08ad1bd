import { formatDateTime, formatOffset, type FormatOptions } from "./time";
import type { Reminder, Task } from "./types";

/** The reminder offsets offered everywhere (task panel, settings), in minutes before the due. */
export const REMINDER_PRESETS: readonly number[] = [0, 5, 15, 30, 60, 1440];

/** "1 day before", "At Fri, Mar 6, 9:00 AM", "Snoozed to Today, 9:10 AM". */
export function reminderLabel(reminder: Reminder, tz: string, options: FormatOptions = {}): string {
  if (reminder.offset_minutes !== null) return formatOffset(reminder.offset_minutes);
  const when = formatDateTime(reminder.fire_at, tz, options);
  return reminder.snoozed_from !== null ? `Snoozed to ${when}` : `At ${when}`;
}

/** The reminders still to come, soonest first. */
export function upcomingReminders(task: Pick<Task, "reminders">): Reminder[] {
  return task.reminders
    .filter((r) => r.status === "pending")
    .sort((a, b) => a.fire_at.localeCompare(b.fire_at));
}
