import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { Drawer } from "../../../components/Drawer";
import { Icon } from "../../../components/Icon";
import { ErrorNotice, Spinner } from "../../../components/States";
import { useToast } from "../../../components/Toast";
import { ApiError, errorMessage } from "../../../lib/api-client";
import { emitTasksChanged, onTasksChanged } from "../../../lib/events";
import { useSession } from "../../../lib/session";
import { formatDateTime, formatDue, todayIn, toWallDateTime, zoneOffsetLabel } from "../../../lib/time";
import type { Priority, Task } from "../../../lib/types";
import {
  applyReminderPlan,
  completeTask,
  createTask,
  deleteTask,
  findNextOccurrence,
  getTask,
  recreation,
  reopenTask,
  updateTask,
} from "../api/tasks";
import { formFromTask, taskPatch, validateForm, type TaskForm } from "../utils/form";
import { defaultChoices } from "../utils/recurrence";
import { hasReminderChanges, planReminderChanges } from "../utils/reminders";
import { RecurrencePicker } from "./RecurrencePicker";
import { ReminderPicker } from "./ReminderPicker";

const PRIORITIES: { value: Priority; label: string }[] = [
  { value: "none", label: "None" },
  { value: "low", label: "Low" },
  { value: "medium", label: "Medium" },
  { value: "high", label: "High" },
];

type NextState = { status: "idle" } | { status: "looking" } | { status: "found"; task: Task } | { status: "none" };

/** Field names the backend may blame, mapped onto the panel's sections. */
function fieldErrors(error: ApiError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, messages] of Object.entries(error.fields)) {
    const key = name.startsWith("recurrence")
      ? "recurrence.rule"
      : name === "fire_at" || name === "offset_minutes" || name.startsWith("reminders")
        ? "reminders"
        : name;
    out[key] ??= messages[0];
  }
  return out;
}

export function TaskPanel({ taskId, onClose, onOpenTask }: { taskId: number; onClose: () => void; onOpenTask: (id: number) => void }) {
  const { me } = useSession();
  const tz = me.timezone;
  const toast = useToast();
  const [task, setTask] = useState<Task | null>(null);
  const [form, setForm] = useState<TaskForm | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [confirm, setConfirm] = useState<"delete" | "discard" | null>(null);
  // A confirmation takes the focus (on its safe answer); cancelled, it gives it back: to the
  // Delete button (drawn anew once the confirmation goes) or to where it was.
  const confirmBox = useRef<HTMLDivElement>(null);
  const trashButton = useRef<HTMLButtonElement>(null);
  const confirmedFrom = useRef<HTMLElement | null>(null);
  const asked = useRef<typeof confirm>(null);
  useEffect(() => {
    const was = asked.current;
    asked.current = confirm;
    if (confirm) {
      confirmBox.current?.querySelector<HTMLElement>("[data-safe]")?.focus();
      return;
    }
    const from = was === "delete" ? trashButton.current : confirmedFrom.current;
    confirmedFrom.current = null;
    if (was && from?.isConnected) from.focus();
  }, [confirm]);

  function ask(kind: "delete" | "discard") {
    confirmedFrom.current = document.activeElement as HTMLElement | null;
    setConfirm(kind);
  }
  const [next, setNext] = useState<NextState>({ status: "idle" });

  const load = useCallback(
    async (signal?: AbortSignal) => {
      setLoadError(null);
      try {
        const loaded = await getTask(taskId, signal);
        setTask(loaded);
        setForm(formFromTask(loaded, tz));
      } catch (error) {
        if (signal?.aborted) return;
        setLoadError(
          error instanceof ApiError && error.status === 404
            ? "This task doesn't exist any more — it may have been deleted."
            : errorMessage(error),
        );
      }
    },
    [taskId, tz],
  );

  useEffect(() => {
    const controller = new AbortController();
    setTask(null);
    setForm(null);
    setNext({ status: "idle" });
    setErrors({});
    setFormError(null);
    void load(controller.signal);
    return () => controller.abort();
  }, [load]);

  // A change made elsewhere (chat, a notification button) while the panel is open and untouched.
  const dirty = useMemo(() => {
    if (!task || !form) return false;
    return Object.keys(taskPatch(task, form, tz)).length > 0 || hasReminderChanges(task, form.reminders);
  }, [task, form, tz]);

  useEffect(
    () =>
      onTasksChanged(({ task: changed }) => {
        if (changed && changed.id === taskId && !dirty) {
          setTask(changed);
          setForm(formFromTask(changed, tz));
        }
      }),
    [taskId, dirty, tz],
  );

  // After completing a repeating task, find the occurrence the backend creates next.
  useEffect(() => {
    if (next.status !== "looking" || !task) return;
    const controller = new AbortController();
    findNextOccurrence(task, { signal: controller.signal })
      .then((found) => {
        if (controller.signal.aborted) return;
        setNext(found ? { status: "found", task: found } : { status: "none" });
        if (found) emitTasksChanged({ task: found });
      })
      .catch(() => {
        if (!controller.signal.aborted) setNext({ status: "none" });
      });
    return () => controller.abort();
  }, [next.status, task]);

  function update(changes: Partial<TaskForm>) {
    setForm((current) => (current ? { ...current, ...changes } : current));
    setConfirm(null);
  }

  function requestClose() {
    if (confirm) setConfirm(null); // Escape answers the question asked: no
    else if (dirty) ask("discard");
    else onClose();
  }

  async function save(event?: FormEvent) {
    event?.preventDefault();
    if (!task || !form) return;
    const problems = validateForm(form);
    setErrors(problems);
    setFormError(null);
    if (Object.keys(problems).length) return;
    setSaving(true);
    try {
      const patch = taskPatch(task, form, tz);
      const patched = Object.keys(patch).length ? await updateTask(task.id, patch) : task;
      await applyReminderPlan(task.id, planReminderChanges(patched, form.reminders));
      const saved = await getTask(task.id);
      const savedForm = formFromTask(saved, tz);
      setTask(saved);
      setForm(savedForm);
      emitTasksChanged({ task: saved });
      // A new repeat starts on its first day at or after the date given (e.g. "last Friday of
      // the month" from a Saturday): say where the task went, not just "Saved."
      const moved = form.date !== "" && (savedForm.date !== form.date || savedForm.time !== form.time);
      toast({ message: moved ? `Saved. It’s due ${formatDue(saved, tz)}, its repeat’s first day.` : "Saved." });
    } catch (error) {
      if (error instanceof ApiError) {
        const fields = fieldErrors(error);
        setErrors(fields);
        // Said once: beside its field when the panel has one for it, else above the buttons.
        const shown = ["title", "tags", "due_at", "reminders", "non_field_errors", "recurrence.rule"];
        setFormError(Object.keys(fields).some((name) => shown.includes(name)) ? null : error.message);
        // …and brought into view (a reminder's error sat below the fold).
        window.requestAnimationFrame(() =>
          document.querySelector(".drawer .field-error, .drawer .notice--error")?.scrollIntoView({ block: "center" }),
        );
        // Some changes may have gone through (e.g. the fields but not a reminder): show what is saved.
        getTask(task.id)
          .then((fresh) => {
            setTask(fresh);
            emitTasksChanged({ task: fresh });
          })
          .catch(() => {});
      } else {
        setFormError(errorMessage(error));
      }
    } finally {
      setSaving(false);
    }
  }

  async function toggleDone() {
    if (!task) return;
    setSaving(true);
    setFormError(null);
    try {
      const updated = task.completed ? await reopenTask(task.id) : await completeTask(task.id);
      setTask(updated);
      setForm(formFromTask(updated, tz));
      emitTasksChanged({ task: updated });
      setNext(updated.completed && updated.series_id !== null ? { status: "looking" } : { status: "idle" });
      toast({ message: updated.completed ? `Completed “${updated.title}”.` : `Reopened “${updated.title}”.` });
    } catch (error) {
      setFormError(errorMessage(error));
    } finally {
      setSaving(false);
    }
  }

  /**
   * Delete the task: a repeating one for good (its series ends). "Skip" deletes just the open
   * occurrence of a series, whose next occurrence the server makes in the same transaction (one
   * look finds it for the toast).
   */
  async function remove(kind: "delete" | "skip" = "delete") {
    if (!task) return;
    setSaving(true);
    try {
      await deleteTask(task.id, { series: kind === "delete" });
      emitTasksChanged({ taskId: task.id });
      let message = `Deleted “${task.title}”.`;
      if (kind === "skip") {
        const following = await findNextOccurrence(task, { attempts: 1 }).catch(() => null);
        message = following?.due_at
          ? `Skipped “${task.title}”. Next: ${formatDue(following, tz)}.`
          : `Skipped “${task.title}”.`;
      }
      const undo = () =>
        void createTask(recreation(task, tz))
          .then((back) => {
            emitTasksChanged({ task: back });
            toast({ message: `Put back “${back.title}”.` });
          })
          .catch((error) => toast({ message: errorMessage(error), tone: "error" }));
      toast({ message, action: kind === "delete" ? { label: "Undo", onClick: undo } : undefined });
      onClose();
    } catch (error) {
      setFormError(errorMessage(error));
      setSaving(false);
    }
  }

  const start = form?.date ? `${form.date}T${form.time || "23:59"}` : null;
  const suggestedCustom = form?.date
    ? `${form.date}T${form.time || "09:00"}`
    : `${toWallDateTime(new Date(Date.now() + 3600_000), tz).slice(0, 14)}00`;

  return (
    <Drawer labelledBy="task-panel-title" onClose={requestClose}>
      <div className="panel">
        <header className="panel__header">
          <h2 id="task-panel-title" className="panel__heading">
            {task ? (task.completed ? "Completed task" : "Task") : "Task"}
          </h2>
          <button type="button" className="icon-button" aria-label="Close" onClick={requestClose}>
            <Icon name="x" />
          </button>
        </header>

        {!task && !loadError && <Spinner label="Loading the task…" />}
        {loadError && (
          <div className="panel__body">
            <ErrorNotice message={loadError} onRetry={loadError.startsWith("This task") ? undefined : () => void load()} />
          </div>
        )}

        {task && form && (
          <form className="panel__body" onSubmit={save} noValidate>
            {task.completed && (
              <div className="notice notice--success" role="status">
                <Icon name="check" />
                <div>
                  <strong>Done</strong>
                  {task.completed_at && <> · {formatDateTime(task.completed_at, tz)}</>}
                  {next.status === "looking" && <div className="hint">Scheduling the next occurrence…</div>}
                  {next.status === "none" && <div className="hint">The next occurrence will show up in your list shortly.</div>}
                  {next.status === "found" && (
                    <div className="next-occurrence">
                      Next occurrence: <strong>{formatDue(next.task, tz)}</strong>{" "}
                      <button type="button" className="link-button" onClick={() => onOpenTask(next.task.id)}>
                        Open it
                      </button>
                    </div>
                  )}
                </div>
              </div>
            )}

            <div className="field">
              <label htmlFor="task-title">Title</label>
              <input
                id="task-title"
                className="input--title"
                value={form.title}
                maxLength={200}
                onChange={(e) => update({ title: e.target.value })}
                aria-invalid={Boolean(errors.title)}
                aria-describedby={errors.title ? "task-title-error" : undefined}
              />
              {errors.title && (
                <p id="task-title-error" className="field-error">
                  {errors.title}
                </p>
              )}
            </div>

            <div className="field">
              <label htmlFor="task-notes">Notes</label>
              <textarea
                id="task-notes"
                rows={3}
                value={form.description}
                maxLength={5000}
                placeholder="Details, links, a checklist…"
                onChange={(e) => update({ description: e.target.value })}
              />
            </div>

            <div className="field-row">
              <fieldset className="field">
                <legend>Priority</legend>
                <div className="segmented">
                  {PRIORITIES.map((p) => (
                    <label key={p.value} className={`segmented__item segmented__item--${p.value}`}>
                      <input
                        type="radio"
                        name="priority"
                        value={p.value}
                        checked={form.priority === p.value}
                        onChange={() => update({ priority: p.value })}
                      />
                      <span>{p.label}</span>
                    </label>
                  ))}
                </div>
              </fieldset>
              <div className="field">
                <label htmlFor="task-tags">Tags</label>
                <input
                  id="task-tags"
                  value={form.tags}
                  placeholder="work, home"
                  autoCapitalize="none"
                  onChange={(e) => update({ tags: e.target.value })}
                  aria-describedby="task-tags-hint"
                />
                <p id="task-tags-hint" className="hint">
                  Separate with commas.
                </p>
                {errors.tags && <p className="field-error">{errors.tags}</p>}
              </div>
            </div>

            <fieldset className="section">
              <legend className="section__title">
                <Icon name="calendar" size={16} /> Due
              </legend>
              <div className="field-row">
                <div className="field">
                  <label htmlFor="task-date">Date</label>
                  <input
                    id="task-date"
                    type="date"
                    value={form.date}
                    onChange={(e) => {
                      const date = e.target.value;
                      update({
                        date,
                        time: date ? form.time : "",
                        // Fresh defaults (weekday, day of month) for a task that does not repeat yet.
                        recurrence:
                          form.recurrence.kind === "none" ? defaultChoices(date || null, todayIn(tz)) : form.recurrence,
                      });
                    }}
                    aria-invalid={Boolean(errors.due_at)}
                  />
                </div>
                <div className="field">
                  <label htmlFor="task-time">Time</label>
                  <input
                    id="task-time"
                    type="time"
                    value={form.time}
                    disabled={!form.date}
                    onChange={(e) => update({ time: e.target.value })}
                  />
                </div>
              </div>
              <p className="hint">
                {form.date && !form.time ? "All day. " : ""}Times are in {tz.replaceAll("_", " ")} ({zoneOffsetLabel(tz)}).
                {form.date && (
                  <>
                    {" "}
                    <button type="button" className="link-button" onClick={() => update({ date: "", time: "" })}>
                      Remove the due date
                    </button>
                  </>
                )}
              </p>
              {errors.due_at && <p className="field-error">{errors.due_at}</p>}
            </fieldset>

            <ReminderPicker
              task={task}
              value={form.reminders}
              onChange={(reminders) => update({ reminders })}
              hasDue={Boolean(form.date)}
              allDay={Boolean(form.date) && !form.time}
              tz={tz}
              suggestedTime={suggestedCustom}
              error={errors.reminders ?? errors.non_field_errors}
            />

            <RecurrencePicker
              value={form.recurrence}
              onChange={(recurrence) => update({ recurrence })}
              anchor={form.anchor}
              onAnchorChange={(anchor) => update({ anchor })}
              start={start}
              allDay={Boolean(form.date) && !form.time}
              tz={tz}
              error={errors["recurrence.rule"]}
            />

            {formError && <ErrorNotice message={formError} />}

            <div className="panel__footer">
              {confirm === "delete" ? (
                <div className="confirm" role="alertdialog" aria-label="Delete this task?" ref={confirmBox}>
                  <span>
                    {task.recurrence && !task.completed
                      ? "Delete this repeating task? It won’t come back."
                      : "Delete this task?"}
                  </span>
                  <button type="button" className="btn btn--danger" onClick={() => void remove()} disabled={saving}>
                    Delete
                  </button>
                  <button type="button" className="btn btn--ghost" onClick={() => setConfirm(null)} data-safe>
                    Cancel
                  </button>
                </div>
              ) : confirm === "discard" ? (
                <div className="confirm" role="alertdialog" aria-label="Discard changes?" ref={confirmBox}>
                  <span>Discard your changes?</span>
                  <button type="button" className="btn btn--danger" onClick={onClose}>
                    Discard
                  </button>
                  <button type="button" className="btn btn--ghost" onClick={() => setConfirm(null)} data-safe>
                    Keep editing
                  </button>
                </div>
              ) : (
                <>
                  <button type="submit" className="btn btn--primary" disabled={!dirty || saving}>
                    {saving ? "Saving…" : "Save changes"}
                  </button>
                  <button type="button" className="btn" onClick={() => void toggleDone()} disabled={saving || dirty}>
                    <Icon name={task.completed ? "undo" : "check"} size={16} />
                    {task.completed ? "Reopen" : "Complete"}
                  </button>
                  {task.recurrence && !task.completed && (
                    <button
                      type="button"
                      className="btn"
                      title="Skip this occurrence: the next one comes"
                      onClick={() => void remove("skip")}
                      disabled={saving || dirty}
                    >
                      <Icon name="skip" size={16} />
                      <span className="btn__label--wide">Skip</span>
                    </button>
                  )}
                  <button
                    type="button"
                    className="icon-button icon-button--danger field-row__end"
                    aria-label="Delete task"
                    title="Delete task"
                    ref={trashButton}
                    onClick={() => ask("delete")}
                    disabled={saving}
                  >
                    <Icon name="trash" />
                  </button>
                </>
              )}
            </div>
          </form>
        )}
      </div>
    </Drawer>
  );
}
