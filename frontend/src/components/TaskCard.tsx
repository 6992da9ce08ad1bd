/**
 * A task at a glance: done button, title, due time in the user's zone, repeat rule,
 * reminders and tags. Used by the chat (cards under a reply) and the task lists (rows).
 */
import { reminderLabel, upcomingReminders } from "../lib/reminders";
import { formatDue, isOverdue, ruleText } from "../lib/time";
import type { Task } from "../lib/types";
import { Icon } from "./Icon";

export interface TaskCardProps {
  task: Task;
  tz: string;
  variant?: "card" | "row";
  busy?: boolean;
  onToggle?: (task: Task) => void;
  onOpen?: (task: Task) => void;
  now?: Date;
}

const PRIORITY_LABEL = { none: "", low: "Low priority", medium: "Medium priority", high: "High priority" };

export function TaskCard({ task, tz, variant = "row", busy = false, onToggle, onOpen, now }: TaskCardProps) {
  const overdue = isOverdue(task, now);
  const reminders = upcomingReminders(task);
  const titleId = `task-${task.id}-${variant}-title`;
  return (
    <article
      className={`task task--${variant}${task.completed ? " task--done" : ""}${overdue ? " task--overdue" : ""}`}
      aria-labelledby={titleId}
      data-task-id={task.id}
    >
      {onToggle && (
        <button
          type="button"
          className={`check check--${task.priority}`}
          aria-pressed={task.completed}
          aria-label={task.completed ? `Mark “${task.title}” not done` : `Complete “${task.title}”`}
          disabled={busy}
          onClick={() => onToggle(task)}
        >
          <Icon name="check" size={14} />
        </button>
      )}
      <div className="task__body">
        {onOpen ? (
          <button type="button" id={titleId} className="task__title task__title--link" onClick={() => onOpen(task)}>
            {task.title}
          </button>
        ) : (
          <span id={titleId} className="task__title">
            {task.title}
          </span>
        )}
        <div className="task__meta">
          {task.due_at && (
            <span className={`meta${overdue ? " meta--danger" : ""}`} title={overdue ? "Overdue" : "Due"}>
              <Icon name={task.all_day ? "calendar" : "clock"} size={14} />
              <span className="task__due">{formatDue(task, tz, { now })}</span>
            </span>
          )}
          {task.recurrence && (
            <span className="meta" title="Repeats">
              <Icon name="repeat" size={14} />
              <span className="task__rule">{ruleText(task.recurrence.description, task.all_day)}</span>
            </span>
          )}
          {reminders.length > 0 && (
            <span className="meta" title="Reminders">
              <Icon name="bell" size={14} />
              <span className="task__reminders">{reminders.map((r) => reminderLabel(r, tz, { now }, task.all_day)).join(" · ")}</span>
            </span>
          )}
          {task.priority !== "none" && (
            <span className={`meta meta--priority-${task.priority}`}>
              <Icon name="flag" size={14} />
              <span>{PRIORITY_LABEL[task.priority]}</span>
            </span>
          )}
          {task.tags.map((tag) => (
            <span key={tag} className="chip chip--tag">
              #{tag}
            </span>
          ))}
        </div>
      </div>
    </article>
  );
}
