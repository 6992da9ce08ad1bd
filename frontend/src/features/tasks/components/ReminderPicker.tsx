import { useMemo, useState } from "react";
import { Icon } from "../../../components/Icon";
import { allDayReminderTime, REMINDER_PRESETS, reminderLabel, reminderMoment } from "../../../lib/reminders";
import { formatOffset, wallToInstant } from "../../../lib/time";
import type { Task } from "../../../lib/types";
import { addFixed, pendingReminders, removeFixed, toggleOffset, type ReminderDraft } from "../utils/reminders";

export interface ReminderPickerProps {
  task: Task;
  value: ReminderDraft;
  onChange: (value: ReminderDraft) => void;
  hasDue: boolean;
  /** A due date without a time: relative reminders count from ALL_DAY_REMINDER_TIME. */
  allDay?: boolean;
  tz: string;
  /** Where the custom-time input starts: "YYYY-MM-DDTHH:MM". */
  suggestedTime: string;
  error?: string;
}

export function ReminderPicker({
  task,
  value,
  onChange,
  hasDue,
  allDay = false,
  tz,
  suggestedTime,
  error,
}: ReminderPickerProps) {
  const [custom, setCustom] = useState("");
  // Offsets set elsewhere (e.g. "2 hours before" from the chat) stay listed after being unset.
  const offsets = useMemo(() => {
    const initial = pendingReminders(task).flatMap((r) => (r.offset_minutes === null ? [] : [r.offset_minutes]));
    return [...new Set([...REMINDER_PRESETS, ...initial, ...value.offsets])].sort((a, b) => a - b);
  }, [task, value.offsets]);
  const fixed = pendingReminders(task).filter((r) => r.offset_minutes === null && value.keep.includes(r.id));

  return (
    <fieldset className="section">
      <legend className="section__title">
        <Icon name="bell" size={16} /> Reminders
      </legend>
      <div className="toggle-chips" role="group" aria-label="Remind me before the due time">
        {offsets.map((minutes) => (
          <button
            key={minutes}
            type="button"
            className="toggle-chip"
            aria-pressed={value.offsets.includes(minutes)}
            disabled={!hasDue}
            onClick={() => onChange(toggleOffset(value, minutes))}
          >
            {formatOffset(minutes)}
          </button>
        ))}
      </div>
      {!hasDue && <p className="hint">Set a due date to be reminded before it, or pick a time below.</p>}
      {hasDue && allDay && (
        <p className="hint">No time set: these count from {allDayReminderTime(tz)} on its day.</p>
      )}

      {(fixed.length > 0 || value.added.length > 0) && (
        <ul className="fixed-reminders" aria-label="Reminders at a set time">
          {fixed.map((r) => (
            <li key={r.id}>
              <Icon name="clock" size={14} />
              <span>{reminderLabel(r, tz)}</span>
              <button
                type="button"
                className="icon-button icon-button--small"
                aria-label={`Remove reminder ${reminderLabel(r, tz)}`}
                onClick={() => onChange(removeFixed(value, { id: r.id }))}
              >
                <Icon name="x" size={14} />
              </button>
            </li>
          ))}
          {value.added.map((wall) => {
            const label = reminderMoment(wallToInstant(wall, tz), tz);
            return (
              <li key={wall}>
                <Icon name="clock" size={14} />
                <span>{label}</span>
                <span className="badge badge--soft">new</span>
                <button
                  type="button"
                  className="icon-button icon-button--small"
                  aria-label={`Remove reminder ${label}`}
                  onClick={() => onChange(removeFixed(value, { wall }))}
                >
                  <Icon name="x" size={14} />
                </button>
              </li>
            );
          })}
        </ul>
      )}

      <div className="inline-field">
        <label htmlFor="reminder-custom">Custom time</label>
        <input
          id="reminder-custom"
          type="datetime-local"
          value={custom}
          onFocus={() => {
            if (!custom) setCustom(suggestedTime);
          }}
          onChange={(e) => setCustom(e.target.value)}
        />
        <button
          type="button"
          className="btn btn--small"
          disabled={!custom}
          onClick={() => {
            onChange(addFixed(value, custom.slice(0, 16)));
            setCustom("");
          }}
        >
          Add
        </button>
      </div>
      {error && <p className="field-error">{error}</p>}
    </fieldset>
  );
}
