/**
 * The task panel's form: a task's fields as the inputs hold them (due as a local date and time
 * in the user's zone, tags as text), and the PATCH that saves only what changed.
 */
import { toWallDate, toWallTime } from "../../../lib/time";
import type { Anchor, Priority, Task } from "../../../lib/types";
import { buildRule, parseRule, type RecurrenceChoices } from "./recurrence";
import { draftFromTask, type ReminderDraft } from "./reminders";

export interface TaskForm {
  title: string;
  description: string;
  priority: Priority;
  /** As typed: "work, home" or "#work #home". */
  tags: string;
  /** "YYYY-MM-DD" in the user's zone, or "" for no due date. */
  date: string;
  /** "HH:MM", or "" for an all-day task. */
  time: string;
  recurrence: RecurrenceChoices;
  anchor: Anchor;
  reminders: ReminderDraft;
}

export interface TaskPatch {
  title?: string;
  description?: string;
  priority?: Priority;
  tags?: string[];
  due_at?: string | null;
  recurrence?: { rule: string; anchor: Anchor } | null;
}

export function parseTags(text: string): string[] {
  const tags = text
    .split(/[\s,]+/)
    .map((t) => t.replace(/^#+/, "").trim().toLowerCase())
    .filter(Boolean);
  return [...new Set(tags)];
}

export function formatTags(tags: string[]): string {
  return tags.join(", ");
}

export function formFromTask(task: Task, tz: string, today?: string): TaskForm {
  const date = task.due_at ? toWallDate(task.due_at, tz) : "";
  return {
    title: task.title,
    description: task.description,
    priority: task.priority,
    tags: formatTags(task.tags),
    date,
    time: task.due_at && !task.all_day ? toWallTime(task.due_at, tz) : "",
    recurrence: parseRule(task.recurrence?.rule, date || null, today),
    anchor: task.recurrence?.anchor ?? "due",
    reminders: draftFromTask(task),
  };
}

/** The due as the backend reads it: "YYYY-MM-DDTHH:MM", "YYYY-MM-DD" (all day) or null. */
export function dueValue(form: Pick<TaskForm, "date" | "time">): string | null {
  if (!form.date) return null;
  return form.time ? `${form.date}T${form.time}` : form.date;
}

/** The fields of `form` that differ from `task`; an empty object when nothing changed. */
export function taskPatch(task: Task, form: TaskForm, tz: string): TaskPatch {
  const patch: TaskPatch = {};
  const original = formFromTask(task, tz);
  const title = form.title.trim();
  if (title !== task.title) patch.title = title;
  if (form.description !== task.description) patch.description = form.description;
  if (form.priority !== task.priority) patch.priority = form.priority;
  const tags = parseTags(form.tags);
  if ([...tags].sort().join(",") !== [...task.tags].sort().join(",")) patch.tags = tags;
  const due = dueValue(form);
  if (due !== dueValue(original)) patch.due_at = due;
  const rule = buildRule(form.recurrence);
  const originalRule = task.recurrence?.rule ?? null;
  const sameRule = rule === originalRule || (rule !== null && buildRule(original.recurrence) === rule);
  if (!sameRule || (rule !== null && form.anchor !== original.anchor)) {
    patch.recurrence = rule === null ? null : { rule, anchor: form.anchor };
  }
  return patch;
}

/** Problems to fix before saving, by field name (the same names the backend uses). */
export function validateForm(form: TaskForm): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!form.title.trim()) errors.title = "Give the task a title.";
  if (form.recurrence.kind !== "none" && !form.date) {
    errors.due_at = "A repeating task needs a due date.";
  }
  if (form.recurrence.kind === "custom" && !buildRule(form.recurrence)) {
    errors["recurrence.rule"] = "Type a rule such as FREQ=WEEKLY;BYDAY=MO,WE.";
  }
  if (form.recurrence.kind === "weekly" && form.recurrence.weekdays.length === 0) {
    errors["recurrence.rule"] = "Choose at least one day.";
  }
  const offsets = form.reminders.offsets;
  if (!form.date && offsets.length > 0) {
    errors.reminders = "Reminders before the due time need a due date.";
  }
  return errors;
}
