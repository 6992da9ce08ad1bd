import { api, ApiError } from "../../../lib/api-client";
import type { Anchor, Page, Priority, Reminder, Task } from "../../../lib/types";
import type { TaskPatch } from "../utils/form";
import { toWallDate } from "../../../lib/time";
import type { ReminderInput, ReminderPlan } from "../utils/reminders";

export type TaskView = "today" | "upcoming" | "overdue";

export interface TaskFilters {
  view?: TaskView;
  status?: "open" | "completed";
  q?: string;
  tag?: string;
  page?: number;
  page_size?: number;
}

export interface TaskCreate {
  title: string;
  description?: string;
  priority?: Priority;
  tags?: string[];
  due_at?: string | null;
  recurrence?: { rule: string; anchor?: Anchor } | null;
  reminders?: ReminderInput[];
  /** Created already completed then (a deleted completed task put back). */
  completed_at?: string;
}

export interface RecurrencePreview {
  rule: string;
  description: string;
  timezone: string;
  occurrences: string[];
}

/** What the quick add's text would add (POST /api/tasks/draft/): the fields for createTask. */
export interface TaskDraft {
  title: string;
  /** A local wall time or date, read in the user's zone. */
  due_at: string | null;
  recurrence: { rule: string; anchor: Anchor; description: string } | null;
  /** null: the user's default reminders apply. */
  reminders: ReminderInput[] | null;
  tags: string[];
  priority: Priority;
  /** In words: "every Monday at 07:00, first on Mon, Dec 7 at 07:00; #gym". */
  summary: string;
}

export const draftTask = (text: string, signal?: AbortSignal) =>
  api.post<TaskDraft>("/api/tasks/draft/", { text }, { signal });

/** The task a draft describes; `due` is used when the text named no date (a repeat always has one). */
export function createFromDraft(draft: TaskDraft, due: string | null): Promise<Task> {
  const input: TaskCreate = {
    title: draft.title,
    due_at: draft.due_at ?? due,
    tags: draft.tags,
    priority: draft.priority,
    recurrence: draft.recurrence && { rule: draft.recurrence.rule, anchor: draft.recurrence.anchor },
  };
  if (draft.reminders !== null) input.reminders = draft.reminders;
  return createTask(input);
}

export const listTasks = (filters: TaskFilters, signal?: AbortSignal) =>
  api.get<Page<Task>>("/api/tasks/", { query: { ...filters }, signal });

export const getTask = (id: number, signal?: AbortSignal) => api.get<Task>(`/api/tasks/${id}/`, { signal });

export const createTask = (input: TaskCreate) => api.post<Task>("/api/tasks/", input);

export const updateTask = (id: number, patch: TaskPatch) => api.patch<Task>(`/api/tasks/${id}/`, patch);

/**
 * Delete a task. On the open occurrence of a repeating task `series: false` (the default) is a
 * skip (the next occurrence comes) and `series: true` deletes it for good (nothing comes next;
 * completed occurrences stay as history).
 */
export const deleteTask = (id: number, { series = false }: { series?: boolean } = {}) =>
  api.delete(`/api/tasks/${id}/`, undefined, series ? { query: { series: "true" } } : undefined);

/**
 * What to send to create the task again as it was (the Undo of a delete): its fields, its
 * repeat (an open occurrence's), and its pending reminders that have not come yet. An all-day
 * task goes back as its local date.
 */
export function recreation(task: Task, tz: string, now: Date = new Date()): TaskCreate {
  const reminders: ReminderInput[] = task.reminders
    .filter((r) => r.status === "pending" && (r.offset_minutes !== null || Date.parse(r.fire_at) > now.getTime()))
    .map((r) => (r.offset_minutes !== null ? { offset_minutes: r.offset_minutes } : { fire_at: r.fire_at }));
  return {
    title: task.title,
    description: task.description,
    priority: task.priority,
    tags: task.tags,
    due_at: task.due_at === null ? null : task.all_day ? toWallDate(task.due_at, tz) : task.due_at,
    recurrence: task.recurrence && !task.completed ? { rule: task.recurrence.rule, anchor: task.recurrence.anchor } : null,
    reminders: task.completed ? [] : reminders,
    // A completed task comes back completed, when it was: it is history, not something to do.
    ...(task.completed && task.completed_at ? { completed_at: task.completed_at } : {}),
  };
}

export const completeTask = (id: number) => api.post<Task>(`/api/tasks/${id}/complete/`);

export const reopenTask = (id: number) => api.post<Task>(`/api/tasks/${id}/reopen/`);

export const stopSeries = (id: number) => api.post<Task>(`/api/tasks/${id}/stop-series/`);

export const addReminder = (taskId: number, input: ReminderInput) =>
  api.post<Reminder>(`/api/tasks/${taskId}/reminders/`, input);

export const deleteReminder = (id: number) => api.delete(`/api/reminders/${id}/`);

export const snoozeReminder = (id: number, minutes: number) =>
  api.post<Reminder>(`/api/reminders/${id}/snooze/`, { minutes });

export const previewRecurrence = (
  input: { rule: string; start: string; count?: number; anchor?: Anchor },
  signal?: AbortSignal,
) => api.post<RecurrencePreview>("/api/recurrence/preview/", input, { signal });

/** Removals first, so a reminder moved to another offset never hits the per-task limit. */
export async function applyReminderPlan(taskId: number, plan: ReminderPlan): Promise<void> {
  for (const id of plan.remove) {
    try {
      await deleteReminder(id);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error; // already gone
    }
  }
  for (const input of plan.add) await addReminder(taskId, input);
}

/**
 * The next occurrence of a completed recurring task. The backend creates it from the
 * `task.completed` event (relay → broker → consumer → worker), so it can take a moment: ask a
 * few times before giving up.
 */
export async function findNextOccurrence(
  task: Task,
  { attempts = 40, delayMs = 1000, signal }: { attempts?: number; delayMs?: number; signal?: AbortSignal } = {},
): Promise<Task | null> {
  if (task.series_id === null) return null;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (signal?.aborted) return null;
    let page;
    try {
      page = await listTasks({ status: "open", q: task.title, page_size: 50 }, signal);
    } catch (err) {
      if (signal?.aborted) return null; // the caller stopped looking: not an error
      throw err;
    }
    const next = page.results.find(
      (t) => t.series_id === task.series_id && t.id !== task.id && !t.completed,
    );
    if (next) return next;
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  return null;
}
