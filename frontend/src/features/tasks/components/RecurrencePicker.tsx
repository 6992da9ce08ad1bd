import { useEffect, useState } from "react";
import { Icon } from "../../../components/Icon";
import { ApiError, errorMessage } from "../../../lib/api-client";
import { formatDate, formatTime, ruleText } from "../../../lib/time";
import type { Anchor } from "../../../lib/types";
import { previewRecurrence, type RecurrencePreview } from "../api/tasks";
import {
  buildRule,
  MONTH_NAMES,
  NTH_LABELS,
  NTHS,
  WEEKDAY_NAMES,
  WEEKDAYS,
  type Nth,
  type RecurrenceChoices,
  type RepeatKind,
  type Weekday,
} from "../utils/recurrence";

const KINDS: { value: RepeatKind; label: string }[] = [
  { value: "none", label: "Does not repeat" },
  { value: "daily", label: "Daily" },
  { value: "weekdays", label: "Every weekday (Mon–Fri)" },
  { value: "weekly", label: "Weekly" },
  { value: "monthly", label: "Monthly" },
  { value: "yearly", label: "Yearly" },
  { value: "custom", label: "Custom rule (RRULE)" },
];

const UNITS: Partial<Record<RepeatKind, [string, string]>> = {
  daily: ["day", "days"],
  weekly: ["week", "weeks"],
  monthly: ["month", "months"],
  yearly: ["year", "years"],
};

const DAYS = Array.from({ length: 31 }, (_, i) => i + 1);

export interface RecurrencePickerProps {
  value: RecurrenceChoices;
  onChange: (value: RecurrenceChoices) => void;
  anchor: Anchor;
  onAnchorChange: (anchor: Anchor) => void;
  /** The due as a wall time "YYYY-MM-DDTHH:MM", or null when the task has no date. */
  start: string | null;
  allDay: boolean;
  tz: string;
  error?: string;
}

export function RecurrencePicker({ value, onChange, anchor, onAnchorChange, start, allDay, tz, error }: RecurrencePickerProps) {
  const rule = buildRule(value);
  const set = (changes: Partial<RecurrenceChoices>) => onChange({ ...value, ...changes });
  const [preview, setPreview] = useState<RecurrencePreview | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [previewing, setPreviewing] = useState(false);

  // The plain-English description, live from the backend (debounced while typing).
  useEffect(() => {
    setPreviewError(null);
    if (!rule || !start) {
      setPreview(null);
      return;
    }
    const controller = new AbortController();
    setPreviewing(true);
    const timer = window.setTimeout(() => {
      previewRecurrence({ rule, start, count: 4, anchor }, controller.signal)
        .then((result) => {
          setPreview(result);
          setPreviewError(null);
        })
        .catch((err: unknown) => {
          if (controller.signal.aborted) return;
          setPreview(null);
          setPreviewError(err instanceof ApiError ? (err.field("rule") ?? err.message) : errorMessage(err));
        })
        .finally(() => {
          if (!controller.signal.aborted) setPreviewing(false);
        });
    }, 300);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [rule, start, anchor]);

  const unit = UNITS[value.kind];
  const disabled = start === null;

  function toggleDay(day: Weekday) {
    const on = value.weekdays.includes(day);
    set({ weekdays: on ? value.weekdays.filter((d) => d !== day) : [...value.weekdays, day] });
  }

  return (
    <fieldset className="section" disabled={disabled && value.kind === "none"}>
      <legend className="section__title">
        <Icon name="repeat" size={16} /> Repeat
      </legend>
      {disabled && value.kind === "none" && <p className="hint">Set a due date to make it repeat.</p>}

      <div className="field">
        <label htmlFor="repeat-kind">Repeats</label>
        <select id="repeat-kind" value={value.kind} onChange={(e) => set({ kind: e.target.value as RepeatKind })}>
          {KINDS.map((k) => (
            <option key={k.value} value={k.value}>
              {k.label}
            </option>
          ))}
        </select>
      </div>

      {unit && (
        <div className="inline-field">
          <label htmlFor="repeat-interval">Every</label>
          <input
            id="repeat-interval"
            type="number"
            min={1}
            max={99}
            inputMode="numeric"
            className="input--narrow"
            value={value.interval}
            onChange={(e) => set({ interval: Math.max(1, Number(e.target.value) || 1) })}
          />
          <span>{value.interval === 1 ? unit[0] : unit[1]}</span>
        </div>
      )}

      {value.kind === "weekly" && (
        <div className="weekdays" role="group" aria-label="Repeat on">
          {WEEKDAYS.map((day) => (
            <button
              key={day}
              type="button"
              className="weekday"
              aria-pressed={value.weekdays.includes(day)}
              aria-label={WEEKDAY_NAMES[day]}
              title={WEEKDAY_NAMES[day]}
              onClick={() => toggleDay(day)}
            >
              {WEEKDAY_NAMES[day].slice(0, 2)}
            </button>
          ))}
        </div>
      )}

      {value.kind === "monthly" && (
        <div className="choice-list" role="radiogroup" aria-label="Monthly on">
          <div className="choice">
            <input
              type="radio"
              id="monthly-day"
              name="monthly-mode"
              checked={value.monthlyMode === "day"}
              onChange={() => set({ monthlyMode: "day" })}
            />
            <label htmlFor="monthly-day">On day</label>
            <select
              aria-label="Day of the month"
              value={value.monthDay}
              onChange={(e) => set({ monthlyMode: "day", monthDay: Number(e.target.value) })}
            >
              {DAYS.map((d) => (
                <option key={d} value={d}>
                  {d}
                </option>
              ))}
              <option value={-1}>last day</option>
            </select>
          </div>
          <div className="choice">
            <input
              type="radio"
              id="monthly-weekday"
              name="monthly-mode"
              checked={value.monthlyMode === "weekday"}
              onChange={() => set({ monthlyMode: "weekday" })}
            />
            <label htmlFor="monthly-weekday">On the</label>
            <select
              aria-label="Which week"
              value={value.nth}
              onChange={(e) => set({ monthlyMode: "weekday", nth: Number(e.target.value) as Nth })}
            >
              {NTHS.map((n) => (
                <option key={n} value={n}>
                  {NTH_LABELS[String(n)]}
                </option>
              ))}
            </select>
            <select
              aria-label="Weekday"
              value={value.nthWeekday}
              onChange={(e) => set({ monthlyMode: "weekday", nthWeekday: e.target.value as Weekday })}
            >
              {WEEKDAYS.map((d) => (
                <option key={d} value={d}>
                  {WEEKDAY_NAMES[d]}
                </option>
              ))}
            </select>
          </div>
        </div>
      )}

      {value.kind === "yearly" && (
        <div className="inline-field">
          <span>On</span>
          <select aria-label="Month" value={value.month} onChange={(e) => set({ month: Number(e.target.value) })}>
            {MONTH_NAMES.map((name, i) => (
              <option key={name} value={i + 1}>
                {name}
              </option>
            ))}
          </select>
          <select aria-label="Day" value={value.yearDay} onChange={(e) => set({ yearDay: Number(e.target.value) })}>
            {DAYS.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </div>
      )}

      {value.kind === "custom" && (
        <div className="field">
          <label htmlFor="repeat-custom">RRULE</label>
          <input
            id="repeat-custom"
            className="input--mono"
            value={value.custom}
            spellCheck={false}
            autoCapitalize="characters"
            placeholder="FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR"
            onChange={(e) => set({ custom: e.target.value })}
            aria-describedby="repeat-custom-hint"
          />
          <p id="repeat-custom-hint" className="hint">
            RFC 5545: FREQ, INTERVAL, BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS, BYHOUR, BYMINUTE, COUNT, UNTIL.
          </p>
        </div>
      )}

      {value.kind !== "none" && value.kind !== "custom" && (
        <div className="choice-list" role="radiogroup" aria-label="Ends">
          <span className="choice-list__label">Ends</span>
          <div className="choice">
            <input type="radio" id="ends-never" name="ends" checked={value.ends === "never"} onChange={() => set({ ends: "never" })} />
            <label htmlFor="ends-never">Never</label>
          </div>
          <div className="choice">
            <input type="radio" id="ends-on" name="ends" checked={value.ends === "on"} onChange={() => set({ ends: "on" })} />
            <label htmlFor="ends-on">On</label>
            <input
              type="date"
              aria-label="End date"
              value={value.until}
              onChange={(e) => set({ ends: "on", until: e.target.value })}
            />
          </div>
          <div className="choice">
            <input type="radio" id="ends-after" name="ends" checked={value.ends === "after"} onChange={() => set({ ends: "after" })} />
            <label htmlFor="ends-after">After</label>
            <input
              type="number"
              min={1}
              max={999}
              aria-label="Number of times"
              className="input--narrow"
              value={value.count}
              onChange={(e) => set({ ends: "after", count: Math.max(1, Number(e.target.value) || 1) })}
            />
            <span>times</span>
          </div>
        </div>
      )}

      {value.kind !== "none" && (
        <div className="field">
          <label htmlFor="repeat-anchor">Next one counts from</label>
          <select id="repeat-anchor" value={anchor} onChange={(e) => onAnchorChange(e.target.value as Anchor)}>
            <option value="due">the due date</option>
            <option value="completion">when I complete it</option>
          </select>
        </div>
      )}

      {value.kind !== "none" && (
        <div className="rule-preview" aria-live="polite" data-testid="rule-preview">
          {start === null ? (
            <span className="field-error">A repeating task needs a due date.</span>
          ) : previewError ? (
            <span className="field-error">{previewError}</span>
          ) : preview ? (
            <>
              <span className="rule-preview__text">
                <Icon name="repeat" size={14} /> Repeats <strong className="rule-description">{ruleText(preview.description, allDay)}</strong>
              </span>
              {preview.occurrences.length > 0 && (
                <span className="rule-preview__next">
                  Next:{" "}
                  {preview.occurrences
                    .map((o) => (allDay ? formatDate(o, tz) : `${formatDate(o, tz)}, ${formatTime(o, tz)}`))
                    .join(" · ")}
                </span>
              )}
            </>
          ) : (
            <span className="hint">{previewing ? "Working out the dates…" : ""}</span>
          )}
        </div>
      )}
      {error && <p className="field-error">{error}</p>}
    </fieldset>
  );
}
