/** Quick replies offered under the chat: starters for a new user, answers to a question. */
import type { ChatAction } from "../api/chat";

export const STARTERS: readonly string[] = [
  "Pay rent every month on the 1st at 9am, remind me 1 day before",
  "Call mom tomorrow at 5pm",
  "Add water the plants every Saturday morning",
  "What's due today?",
  "Help",
];

/** Quick answers to the assistant's last reply (empty when it asked nothing). */
export function replySuggestions(reply: string, actions: ChatAction[] = []): string[] {
  if (/say\s+["“]?yes["”]?/i.test(reply)) return ["Yes", "No"];
  if (/^which one do you mean\?/i.test(reply.trim())) {
    const count = reply.split("\n").filter((line) => /^\d+\.\s/.test(line.trim())).length;
    return Array.from({ length: Math.min(count, 9) }, (_, i) => String(i + 1));
  }
  // Two dates in one message: either one, or both (two weekdays: a weekly repeat).
  const dates = /^I see two dates \("([^"]+)" and "([^"]+)"\)/.exec(reply.trim());
  if (dates) {
    const either = [dates[1], dates[2]].map((d) => d.charAt(0).toUpperCase() + d.slice(1));
    return /say "both"/i.test(reply) ? [...either, "Both"] : either;
  }
  // A date that reads two ways ("3/4"): each reading.
  const readings = /^"[^"]+" could be (.+) or (.+)\. Which one\?$/.exec(reply.trim());
  if (readings) return [readings[1], readings[2]];
  // One task ticked off, or tasks added or deleted: the chat takes it back on "undo" (a
  // completion with the repeating task's next one, an add with its repeat, a delete as new tasks).
  const lines = reply.trim().split("\n");
  if (lines.every((line) => /^Done: "/.test(line))) return ["Undo"];
  if (["Added", "Deleted"].some((verb) => lines.every((line) => line.startsWith(`${verb} "`)))) return ["Undo"];
  // One change of a task's due, title, priority, tags or notes (not of its repeat): "undo" too.
  const [only] = actions;
  const changed = Array.isArray(only?.changed) ? (only.changed as string[]) : [];
  if (actions.length === 1 && only.type === "task.updated" && changed.length && !changed.includes("recurrence")) {
    return ["Undo"];
  }
  // Reminders added to a task ("remind me 30 minutes before"): "undo" removes them.
  if (actions.length && actions.every((action) => action.type === "reminder.added")) return ["Undo"];
  return [];
}

/** Ids of the tasks a stored message's actions touched (what the cards under it showed). */
export function actionTaskIds(actions: ChatAction[]): number[] {
  const ids: number[] = [];
  for (const action of actions) {
    if (action.type === "task.deleted") continue;
    for (const id of [action.task_id, action.next_task_id]) {
      if (typeof id === "number" && !ids.includes(id)) ids.push(id);
    }
  }
  return ids;
}
