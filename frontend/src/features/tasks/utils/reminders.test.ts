import { describe, expect, it } from "vitest";
import type { Reminder } from "../../../lib/types";
import { addFixed, draftFromTask, hasReminderChanges, planReminderChanges, removeFixed, toggleOffset } from "./reminders";

function reminder(id: number, changes: Partial<Reminder>): Reminder {
  return { id, fire_at: "2026-12-01T14:00:00Z", offset_minutes: null, status: "pending", fired_at: null, snoozed_from: null, ...changes };
}

const task = {
  reminders: [
    reminder(1, { offset_minutes: 1440 }),
    reminder(2, { offset_minutes: 15 }),
    reminder(3, { offset_minutes: 60, status: "fired" }),
    reminder(4, { offset_minutes: null, fire_at: "2026-11-30T12:00:00Z" }),
    reminder(5, { offset_minutes: 30, status: "cancelled" }),
  ],
};

describe("reminder drafts", () => {
  it("start from the pending reminders only", () => {
    expect(draftFromTask(task)).toEqual({ offsets: [15, 1440], keep: [4], added: [] });
  });

  it("plan nothing when nothing changed", () => {
    expect(planReminderChanges(task, draftFromTask(task))).toEqual({ remove: [], add: [] });
    expect(hasReminderChanges(task, draftFromTask(task))).toBe(false);
  });

  it("add a preset that was off and remove one that was on", () => {
    let draft = toggleOffset(draftFromTask(task), 0);
    draft = toggleOffset(draft, 15);
    expect(draft.offsets).toEqual([0, 1440]);
    expect(planReminderChanges(task, draft)).toEqual({ remove: [2], add: [{ offset_minutes: 0 }] });
  });

  it("re-adds an offset whose reminder already fired (it is history, not pending)", () => {
    const draft = toggleOffset(draftFromTask(task), 60);
    expect(planReminderChanges(task, draft).add).toEqual([{ offset_minutes: 60 }]);
  });

  it("add and remove reminders at a set time", () => {
    let draft = addFixed(draftFromTask(task), "2026-12-24T18:30");
    draft = addFixed(draft, "2026-12-24T18:30");
    draft = removeFixed(draft, { id: 4 });
    expect(planReminderChanges(task, draft)).toEqual({ remove: [4], add: [{ fire_at: "2026-12-24T18:30" }] });
    expect(removeFixed(draft, { wall: "2026-12-24T18:30" }).added).toEqual([]);
  });
});
