/**
 * App-wide "something changed" signals, so a task edited in the panel or completed from a
 * notification refreshes the lists and chat cards showing it. Features publish and listen
 * here instead of importing each other.
 */
import type { Task } from "./types";

type TaskChange = { task?: Task; taskId?: number };

const TASKS_CHANGED = "app:tasks-changed";

export function emitTasksChanged(change: TaskChange = {}): void {
  window.dispatchEvent(new CustomEvent<TaskChange>(TASKS_CHANGED, { detail: change }));
}

export function onTasksChanged(listener: (change: TaskChange) => void): () => void {
  const handler = (event: Event) => listener((event as CustomEvent<TaskChange>).detail ?? {});
  window.addEventListener(TASKS_CHANGED, handler);
  return () => window.removeEventListener(TASKS_CHANGED, handler);
}
