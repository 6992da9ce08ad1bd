import { describe, expect, it } from "vitest";
import type { Task } from "../../../lib/types";
import { dueValue, formFromTask, parseTags, taskPatch, validateForm } from "./form";

const TZ = "America/New_York";

function task(changes: Partial<Task> = {}): Task {
  return {
    id: 7,
    title: "Pay rent",
    description: "",
    priority: "none",
    tags: ["home"],
    due_at: "2026-12-01T14:00:00Z", // 09:00 in New York
    all_day: false,
    completed: false,
    completed_at: null,
    series_id: 3,
    recurrence: { rule: "FREQ=MONTHLY;BYMONTHDAY=1", anchor: "due", description: "on the 1st of every month at 09:00" },
    reminders: [
      { id: 1, fire_at: "2026-11-30T14:00:00Z", offset_minutes: 1440, status: "pending", fired_at: null, snoozed_from: null },
    ],
    created_at: "2026-11-26T10:00:00Z",
    updated_at: "2026-11-26T10:00:00Z",
    ...changes,
  };
}

describe("the task form", () => {
  it("shows the due in the user's zone, and the rule and reminders in the pickers", () => {
    const form = formFromTask(task(), TZ);
    expect(form).toMatchObject({ date: "2026-12-01", time: "09:00", tags: "home" });
    expect(form.recurrence).toMatchObject({ kind: "monthly", monthlyMode: "day", monthDay: 1 });
    expect(form.reminders.offsets).toEqual([1440]);
  });

  it("shows an all-day task without a time (its due is the end of that day)", () => {
    const form = formFromTask(task({ due_at: "2026-12-02T04:59:59Z", all_day: true, recurrence: null }), TZ);
    expect(form).toMatchObject({ date: "2026-12-01", time: "" });
    expect(dueValue(form)).toBe("2026-12-01");
  });

  it("saves nothing when nothing changed", () => {
    const t = task();
    expect(taskPatch(t, formFromTask(t, TZ), TZ)).toEqual({});
  });

  it("sends only the changed fields, the due as local wall time", () => {
    const t = task();
    const form = { ...formFromTask(t, TZ), title: " Pay the rent ", time: "08:30", tags: "#Home, money" };
    expect(taskPatch(t, form, TZ)).toEqual({ title: "Pay the rent", due_at: "2026-12-01T08:30", tags: ["home", "money"] });
  });

  it("sends a new rule (and only then), or null to stop repeating", () => {
    const t = task();
    const form = formFromTask(t, TZ);
    expect(taskPatch(t, { ...form, recurrence: { ...form.recurrence, monthDay: 5 } }, TZ)).toEqual({
      recurrence: { rule: "FREQ=MONTHLY;BYMONTHDAY=5", anchor: "due" },
    });
    expect(taskPatch(t, { ...form, anchor: "completion" }, TZ)).toEqual({
      recurrence: { rule: "FREQ=MONTHLY;BYMONTHDAY=1", anchor: "completion" },
    });
    expect(taskPatch(t, { ...form, recurrence: { ...form.recurrence, kind: "none" } }, TZ)).toEqual({ recurrence: null });
  });

  it("does not rewrite an equivalent rule the backend stored differently", () => {
    const t = task({ recurrence: { rule: "FREQ=MONTHLY", anchor: "due", description: "" } });
    expect(taskPatch(t, formFromTask(t, TZ), TZ)).toEqual({});
  });

  it("asks for a due date before repeating", () => {
    const form = { ...formFromTask(task(), TZ), date: "", time: "" };
    expect(validateForm(form)).toMatchObject({ due_at: expect.any(String), reminders: expect.any(String) });
  });

  it("reads tags as people type them", () => {
    expect(parseTags("#Work, home  errands,,work")).toEqual(["work", "home", "errands"]);
  });
});
