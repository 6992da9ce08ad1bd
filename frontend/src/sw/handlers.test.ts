import { describe, expect, it, vi } from "vitest";
import {
  handleNotificationAction,
  handleNotificationClick,
  handlePush,
  notificationOptions,
  parsePushData,
  type ClientLike,
  type FetchLike,
  type PushPayload,
  type WorkerDeps,
} from "./handlers";

// What notifications_app.services.push_payload() sends.
const PAYLOAD = {
  title: "Pay rent",
  body: "Due Tue, Dec 1, 09:00",
  url: "/tasks/12",
  tag: "notification-5",
  notification_id: 5,
  task_id: 12,
  reminder_id: 30,
  timestamp: 1_795_000_000_000,
  actions: [
    { action: "done", title: "Done" },
    { action: "snooze", title: "Snooze 10 min" },
  ],
  action_url: "/api/push/actions/",
  action_token: "signed-token",
  snooze_minutes: 10,
};

function client(url: string, focused = false): ClientLike & { messages: unknown[] } {
  const messages: unknown[] = [];
  return { url, focused, messages, focus: vi.fn(async () => undefined), postMessage: (m: unknown) => messages.push(m) };
}

function deps(changes: Partial<WorkerDeps> = {}): WorkerDeps & { shown: Array<[string, unknown]> } {
  const shown: Array<[string, unknown]> = [];
  return {
    fetch: vi.fn(async () => ({ ok: true, status: 200, json: async () => ({ action: "snooze" }) })),
    windows: async () => [],
    openWindow: vi.fn(async () => undefined),
    showNotification: async (title, options) => {
      shown.push([title, options]);
    },
    origin: "https://todo.example",
    shown,
    ...changes,
  };
}

describe("push", () => {
  it("shows the reminder with its tag, Done and Snooze buttons and the payload as data", async () => {
    const d = deps();
    await handlePush(JSON.stringify(PAYLOAD), d);
    const [title, options] = d.shown[0] as [string, ReturnType<typeof notificationOptions>];
    expect(title).toBe("Pay rent");
    expect(options.tag).toBe("notification-5");
    expect(options.actions.map((a) => a.title)).toEqual(["Done", "Snooze 10 min"]);
    expect(options.data.action_token).toBe("signed-token");
    expect(options.body).toBe("Due Tue, Dec 1, 09:00");
  });

  it("tells open windows, so the bell updates", async () => {
    const open = client("https://todo.example/");
    await handlePush(JSON.stringify(PAYLOAD), deps({ windows: async () => [open] }));
    expect(open.messages).toEqual([{ type: "push", notification_id: 5 }]);
  });

  it("shows something sensible for a payload it does not understand", () => {
    expect(parsePushData("plain text")).toMatchObject({ title: "Todo Reminders", body: "plain text", url: "/", actions: [] });
    expect(parsePushData(null)).toMatchObject({ title: "Todo Reminders", body: "" });
    expect(parsePushData(JSON.stringify({ ...PAYLOAD, url: "https://evil.example/" })).url).toBe("/");
  });

  it("shows no buttons without a token to press them with", () => {
    const { action_token: _token, ...rest } = PAYLOAD;
    expect(parsePushData(JSON.stringify(rest)).actions).toEqual([]);
  });
});

describe("notification buttons", () => {
  it("Snooze posts the signed token, the action and the minutes, without cookies", async () => {
    const fetch = vi.fn<FetchLike>(async () => ({ ok: true, status: 200, json: async () => ({ reminder_id: 31 }) }));
    const outcome = await handleNotificationAction("snooze", parsePushData(JSON.stringify(PAYLOAD)), fetch);
    expect(outcome).toEqual({ ok: true, action: "snooze", result: { reminder_id: 31 } });
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe("/api/push/actions/");
    expect(init.method).toBe("POST");
    expect(init.credentials).toBe("omit");
    expect(JSON.parse(init.body as string)).toEqual({ token: "signed-token", action: "snooze", minutes: 10 });
  });

  it("Done posts the token and the action", async () => {
    const fetch = vi.fn<FetchLike>(async () => ({ ok: true, status: 200, json: async () => ({}) }));
    await handleNotificationAction("done", PAYLOAD as PushPayload, fetch);
    expect(JSON.parse(fetch.mock.calls[0][1].body as string)).toEqual({ token: "signed-token", action: "done" });
  });

  it("reports the server's message when it refuses", async () => {
    const fetch: FetchLike = async () => ({
      ok: false,
      status: 404,
      json: async () => ({ error: { code: "not_found", message: "The task of this notification no longer exists.", fields: {} } }),
    });
    expect(await handleNotificationAction("done", PAYLOAD as PushPayload, fetch)).toEqual({
      ok: false,
      action: "done",
      status: 404,
      message: "The task of this notification no longer exists.",
    });
  });

  it("after a button worked, tells open windows the task changed", async () => {
    const open = client("https://todo.example/tasks");
    const d = deps({ windows: async () => [open] });
    const result = await handleNotificationClick("snooze", PAYLOAD as PushPayload, d);
    expect(result).toMatchObject({ kind: "action", outcome: { ok: true } });
    expect(open.messages).toEqual([{ type: "task-changed", task_id: 12 }]);
    expect(d.openWindow).not.toHaveBeenCalled();
  });

  it("when a button fails, says so in a notification that opens the task", async () => {
    const d = deps({ fetch: async () => Promise.reject(new TypeError("offline")) });
    await handleNotificationClick("done", PAYLOAD as PushPayload, d);
    const [title, options] = d.shown[0] as [string, ReturnType<typeof notificationOptions>];
    expect(title).toBe("Pay rent");
    expect(options.body).toMatch(/Couldn't mark it done: No connection/);
    expect(options.actions).toEqual([]);
    expect(options.tag).toBe("notification-5");
  });
});

describe("clicking the notification body", () => {
  it("focuses the window already showing the task", async () => {
    const other = client("https://todo.example/", true);
    const same = client("https://todo.example/tasks/12");
    const result = await handleNotificationClick("", PAYLOAD as PushPayload, deps({ windows: async () => [other, same] }));
    expect(result).toEqual({ kind: "open", how: "focused" });
    expect(same.focus).toHaveBeenCalled();
    expect(same.messages).toEqual([{ type: "navigate", url: "/tasks/12" }]);
  });

  it("otherwise sends an open window of the app to the task", async () => {
    const open = client("https://todo.example/settings", true);
    await handleNotificationClick("", PAYLOAD as PushPayload, deps({ windows: async () => [open] }));
    expect(open.messages).toEqual([{ type: "navigate", url: "/tasks/12" }]);
    expect(open.focus).toHaveBeenCalled();
  });

  it("opens the task in a new window when the app is not open", async () => {
    const d = deps();
    expect(await handleNotificationClick("", PAYLOAD as PushPayload, d)).toEqual({ kind: "open", how: "opened" });
    expect(d.openWindow).toHaveBeenCalledWith("https://todo.example/tasks/12");
  });
});
