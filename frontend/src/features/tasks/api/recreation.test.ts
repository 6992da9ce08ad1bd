import { describe, expect, it } from "vitest";
import type { Task } from "../../../lib/types";
import { recreation } from "./tasks";

const base: Task = {
  id: 7,
  title: "Pay rent",
  description: "Landlord's IBAN in notes",
  priority: "high",
  tags: ["home"],
  due_at: "2026-12-01T14:00:00Z",
  all_day: false,
  completed: false,
  completed_at: null,
  series_id: 3,
  recurrence: { rule: "FREQ=MONTHLY;BYMONTHDAY=1", anchor: "due", description: "on the 1st of every month" },
  reminders: [
    { id: 1, fire_at: "2026-11-30T14:00:00Z", offset_minutes: 1440, status: "pending", fired_at: null, snoozed_from: null },
    { id: 2, fire_at: "2026-11-28T10:00:00Z", offset_minutes: null, status: "pending", fired_at: null, snoozed_from: null },
    { id: 3, fire_at: "2026-11-29T10:00:00Z", offset_minutes: null, status: "pending", fired_at: null, snoozed_from: null },
    { id: 4, fire_at: "2026-11-27T10:00:00Z", offset_minutes: 60, status: "fired", fired_at: null, snoozed_from: null },
  ],
  created_at: "2026-11-01T10:00:00Z",
  updated_at: "2026-11-01T10:00:00Z",
};
const NOW = new Date("2026-11-28T12:00:00Z");

describe("recreating a deleted task", () => {
  it("keeps its fields, repeat and the reminders still to come", () => {
    expect(recreation(base, "America/New_York", NOW)).toEqual({
      title: "Pay rent",
      description: "Landlord's IBAN in notes",
      priority: "high",
      tags: ["home"],
      due_at: "2026-12-01T14:00:00Z",
      recurrence: { rule: "FREQ=MONTHLY;BYMONTHDAY=1", anchor: "due" },
      reminders: [{ offset_minutes: 1440 }, { fire_at: "2026-11-29T10:00:00Z" }],
    });
  });

  it("sends an all-day task's local date, and no repeat for a completed occurrence", () => {
    const allDay = { ...base, all_day: true, due_at: "2026-12-02T04:59:59Z", completed: true, reminders: [] };

    const input = recreation(allDay, "America/New_York", NOW);

    expect(input.due_at).toBe("2026-12-01");
    expect(input.recurrence).toBeNull();
  });

  it("puts a completed task back completed, when it was, with no reminders", () => {
    const done = { ...base, completed: true, completed_at: "2026-11-20T18:00:00Z" };

    const input = recreation(done, "America/New_York", NOW);

    expect(input.completed_at).toBe("2026-11-20T18:00:00Z");
    expect(input.reminders).toEqual([]);
    expect(input.recurrence).toBeNull();
  });
});
