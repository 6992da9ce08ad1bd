import { describe, expect, it } from "vitest";
import { actionTaskIds, replySuggestions } from "./suggestions";

describe("quick replies", () => {
  it("offers Yes and No when the assistant offers to add a task", () => {
    expect(replySuggestions('Do you want me to add "Call mom" — due tomorrow at 17:00? Say "yes" to add it.')).toEqual(["Yes", "No"]);
  });

  it("offers the numbers of the candidates when asked which one", () => {
    const reply = "Which one do you mean?\n1. Call mom — tomorrow\n2. Call dad — Friday\nAnswer with its number.";
    expect(replySuggestions(reply)).toEqual(["1", "2"]);
  });

  it("offers Undo after one task was ticked off, or tasks were added or deleted", () => {
    expect(replySuggestions('Deleted "Pay rent" and its repeats (on the 1st of every month).')).toEqual(["Undo"]);
    expect(replySuggestions('Done: "Gym". Next: Mon, Dec 7 at 07:00.')).toEqual(["Undo"]);
    expect(replySuggestions('Added "Pay rent" — due tomorrow at 09:00.')).toEqual(["Undo"]);
    expect(replySuggestions('Done: "Gym".\nDone: "Call mom".')).toEqual(["Undo"]); // all of them reopen
    expect(replySuggestions('Added "Buy milk" — no due date.\nAdded "Call mom" — due tomorrow.')).toEqual(["Undo"]);
    expect(replySuggestions('Deleted "Gym".\nDeleted "Call mom".')).toEqual(["Undo"]);
    expect(replySuggestions('Deleted "Gym".\n"Call mom": no such thing.')).toEqual([]);
  });

  it("offers the two dates of a message, and Both for two weekdays", () => {
    expect(
      replySuggestions(
        'I see two dates ("tue" and "thu"). Which one should it be due? Or say "both" for every Tuesday and Thursday.',
      ),
    ).toEqual(["Tue", "Thu", "Both"]);
    expect(
      replySuggestions('I see two dates ("tomorrow" and "on monday"). Which one should it be due?'),
    ).toEqual(["Tomorrow", "On monday"]);
  });

  it("offers both readings of a date that reads two ways", () => {
    expect(replySuggestions('"3/4" could be March 4 or 3 April. Which one?')).toEqual(["March 4", "3 April"]);
  });

  it("offers nothing after a plain answer", () => {
    expect(replySuggestions('Added a note to "Dentist": bring the card')).toEqual([]);
    expect(replySuggestions('Put back "Pay rent" — due tomorrow.')).toEqual([]);
  });

  it("finds the tasks a stored reply touched, skipping deleted ones", () => {
    expect(
      actionTaskIds([
        { type: "task.completed", task_id: 4, next_task_id: 9 },
        { type: "task.deleted", task_id: 5 },
        { type: "reminder.added", task_id: 4 },
      ]),
    ).toEqual([4, 9]);
  });

  it("offers Undo after one change of a task, not after a change of its repeat", () => {
    const moved = [{ type: "task.updated", task_id: 3, changed: ["due"] }];
    const repeat = [{ type: "task.updated", task_id: 3, changed: ["due", "recurrence"] }];
    const two = [moved[0], { type: "task.updated", task_id: 4, changed: ["tags"] }];

    expect(replySuggestions('Updated "Dentist" — due tomorrow at 16:00.', moved)).toEqual(["Undo"]);
    expect(replySuggestions('Updated "Gym" — every Friday at 07:00, first today at 07:00.', repeat)).toEqual([]);
    expect(replySuggestions('Updated "A" — no due date; #work.\nUpdated "B" — no due date; #work.', two)).toEqual([]);
    const reminded = [{ type: "reminder.added", task_id: 3, reminder_id: 9 }];
    expect(replySuggestions('I\'ll remind you about "Dentist" 30 minutes before.', reminded)).toEqual(["Undo"]);
  });
});
