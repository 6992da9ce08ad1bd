// The backend's JSON shapes (see the README's REST API section and /api/schema/).

export type Priority = "none" | "low" | "medium" | "high";
export type ReminderStatus = "pending" | "fired" | "missed" | "cancelled";
export type Anchor = "due" | "completion";

export interface Reminder {
  id: number;
  /** UTC instant. */
  fire_at: string;
  /** Minutes before the due time; null for a reminder at a fixed time (or a snooze). */
  offset_minutes: number | null;
  status: ReminderStatus;
  fired_at: string | null;
  snoozed_from: number | null;
}

export interface Recurrence {
  rule: string;
  anchor: Anchor;
  description: string;
}

export interface Task {
  id: number;
  title: string;
  description: string;
  priority: Priority;
  tags: string[];
  /** UTC instant; for an all-day task the end of that day in the user's zone. */
  due_at: string | null;
  all_day: boolean;
  completed: boolean;
  completed_at: string | null;
  series_id: number | null;
  recurrence: Recurrence | null;
  reminders: Reminder[];
  created_at: string;
  updated_at: string;
}

/** How times of day are written: 24-hour ("13:00") or 12-hour ("1:00 PM"). */
export type TimeFormat = "24h" | "12h";

export interface Me {
  id: number;
  username: string;
  timezone: string;
  time_format: TimeFormat;
  default_reminder_offsets: number[];
}

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}
