/**
 * What the reminder picker edits, and the API calls that turn a task's pending reminders into
 * it. Reminders change through their own endpoints (POST /tasks/{id}/reminders/,
 * DELETE /reminders/{id}/), so saving is a plan of removals and additions.
 */
import type { Reminder, Task } from "../../../lib/types";

export interface ReminderDraft {
  /** Relative reminders, minutes before the due (sorted, unique). */
  offsets: number[];
  /** Pending fixed-time reminders (custom times, snoozes) to keep, by id. */
  keep: number[];
  /** New fixed-time reminders: wall times "YYYY-MM-DDTHH:MM" in the user's zone. */
  added: string[];
}

export type ReminderInput = { offset_minutes: number } | { fire_at: string };

export interface ReminderPlan {
  remove: number[];
  add: ReminderInput[];
}

const sortUnique = (values: Iterable<number>) => [...new Set(values)].sort((a, b) => a - b);

export function pendingReminders(task: Pick<Task, "reminders">): Reminder[] {
  return task.reminders.filter((r) => r.status === "pending");
}

export function draftFromTask(task: Pick<Task, "reminders">): ReminderDraft {
  const pending = pendingReminders(task);
  return {
    offsets: sortUnique(pending.filter((r) => r.offset_minutes !== null).map((r) => r.offset_minutes as number)),
    keep: pending.filter((r) => r.offset_minutes === null).map((r) => r.id),
    added: [],
  };
}

export function toggleOffset(draft: ReminderDraft, minutes: number): ReminderDraft {
  const on = draft.offsets.includes(minutes);
  return {
    ...draft,
    offsets: on ? draft.offsets.filter((m) => m !== minutes) : sortUnique([...draft.offsets, minutes]),
  };
}

export function addFixed(draft: ReminderDraft, wall: string): ReminderDraft {
  return draft.added.includes(wall) ? draft : { ...draft, added: [...draft.added, wall].sort() };
}

export function removeFixed(draft: ReminderDraft, which: { id?: number; wall?: string }): ReminderDraft {
  return {
    ...draft,
    keep: draft.keep.filter((id) => id !== which.id),
    added: draft.added.filter((wall) => wall !== which.wall),
  };
}

export function planReminderChanges(task: Pick<Task, "reminders">, draft: ReminderDraft): ReminderPlan {
  const pending = pendingReminders(task);
  const relative = pending.filter((r) => r.offset_minutes !== null);
  const existingOffsets = new Set(relative.map((r) => r.offset_minutes));
  const remove = [
    ...relative.filter((r) => !draft.offsets.includes(r.offset_minutes as number)).map((r) => r.id),
    ...pending.filter((r) => r.offset_minutes === null && !draft.keep.includes(r.id)).map((r) => r.id),
  ];
  const add: ReminderInput[] = [
    ...draft.offsets.filter((m) => !existingOffsets.has(m)).map((m) => ({ offset_minutes: m })),
    ...draft.added.map((wall) => ({ fire_at: wall })),
  ];
  return { remove, add };
}

export function hasReminderChanges(task: Pick<Task, "reminders">, draft: ReminderDraft): boolean {
  const plan = planReminderChanges(task, draft);
  return plan.remove.length > 0 || plan.add.length > 0;
}
