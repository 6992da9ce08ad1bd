/**
 * What the service worker does, as plain functions over the few browser objects they need, so
 * unit tests (and the end-to-end test, through `self.todoSW`) can call them directly.
 *
 * The push payload is built by the backend (notifications_app.services.push_payload). Done and
 * Snooze are performed with the payload's signed `action_token` at `action_url`, without the
 * session cookie: the token alone authorizes the one action on that one notification.
 */

export interface PushAction {
  action: string;
  title: string;
}

export interface PushPayload {
  title: string;
  body: string;
  url: string;
  tag: string;
  notification_id: number | null;
  task_id: number | null;
  reminder_id: number | null;
  timestamp?: number;
  actions: PushAction[];
  action_url?: string;
  action_token?: string;
  snooze_minutes?: number;
}

/** What showNotification() is given (a structural subset of NotificationOptions). */
export interface ShowOptions {
  body: string;
  tag: string;
  data: PushPayload;
  actions: PushAction[];
  timestamp?: number;
  icon: string;
  badge: string;
  renotify: boolean;
  requireInteraction: boolean;
}

export interface ResponseLike {
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}

export type FetchLike = (url: string, init: RequestInit) => Promise<ResponseLike>;

export interface ClientLike {
  url: string;
  focused?: boolean;
  focus(): Promise<unknown>;
  postMessage(message: unknown): void;
}

export interface WorkerDeps {
  fetch: FetchLike;
  /** The app's open windows (same origin). */
  windows(): Promise<readonly ClientLike[]>;
  openWindow(url: string): Promise<unknown>;
  showNotification(title: string, options: ShowOptions): Promise<void>;
  /** The worker's origin, to resolve relative URLs. */
  origin: string;
}

export const APP_NAME = "Todo Reminders";
const ICON = "/icon-192.png";
const BADGE = "/badge-72.png";

/** The payload as sent; anything unexpected becomes a plain notification that opens the app. */
export function parsePushData(text: string | null | undefined): PushPayload {
  let raw: Partial<PushPayload> = {};
  if (text) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === "object") raw = parsed as Partial<PushPayload>;
      else raw = { body: String(parsed) };
    } catch {
      raw = { body: text };
    }
  }
  const actions = Array.isArray(raw.actions)
    ? raw.actions.filter((a): a is PushAction => Boolean(a) && typeof a.action === "string" && typeof a.title === "string")
    : [];
  return {
    title: typeof raw.title === "string" && raw.title ? raw.title : APP_NAME,
    body: typeof raw.body === "string" ? raw.body : "",
    url: typeof raw.url === "string" && raw.url.startsWith("/") ? raw.url : "/",
    tag: typeof raw.tag === "string" && raw.tag ? raw.tag : `push-${raw.notification_id ?? "message"}`,
    notification_id: typeof raw.notification_id === "number" ? raw.notification_id : null,
    task_id: typeof raw.task_id === "number" ? raw.task_id : null,
    reminder_id: typeof raw.reminder_id === "number" ? raw.reminder_id : null,
    timestamp: typeof raw.timestamp === "number" ? raw.timestamp : undefined,
    // Buttons only when the payload carries what pressing them needs.
    actions: raw.action_token && raw.action_url ? actions : [],
    action_url: typeof raw.action_url === "string" ? raw.action_url : undefined,
    action_token: typeof raw.action_token === "string" ? raw.action_token : undefined,
    snooze_minutes: typeof raw.snooze_minutes === "number" ? raw.snooze_minutes : undefined,
  };
}

export function notificationOptions(payload: PushPayload): ShowOptions {
  return {
    body: payload.body,
    // One notification per reminder: a repeated delivery replaces it instead of stacking.
    tag: payload.tag,
    data: payload,
    actions: payload.actions,
    timestamp: payload.timestamp,
    icon: ICON,
    badge: BADGE,
    renotify: false,
    requireInteraction: payload.actions.length > 0,
  };
}

/** `push` event: show the notification and let open windows refresh their unread count. */
export async function handlePush(text: string | null | undefined, deps: WorkerDeps): Promise<PushPayload> {
  const payload = parsePushData(text);
  await deps.showNotification(payload.title, notificationOptions(payload));
  for (const client of await deps.windows()) {
    client.postMessage({ type: "push", notification_id: payload.notification_id });
  }
  return payload;
}

export type ActionOutcome =
  | { ok: true; action: string; result: unknown }
  | { ok: false; action: string; status: number; message: string };

/** Done / Snooze: POST {token, action, minutes} to the payload's action URL. */
export async function handleNotificationAction(
  action: string,
  data: PushPayload,
  fetchFn: FetchLike,
): Promise<ActionOutcome> {
  if ((action !== "done" && action !== "snooze") || !data.action_token || !data.action_url) {
    return { ok: false, action, status: 0, message: "This notification has no such button." };
  }
  const body: Record<string, unknown> = { token: data.action_token, action };
  if (action === "snooze") body.minutes = data.snooze_minutes ?? 10;
  let response: ResponseLike;
  try {
    response = await fetchFn(data.action_url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      credentials: "omit",
      body: JSON.stringify(body),
    });
  } catch {
    return { ok: false, action, status: 0, message: "No connection." };
  }
  let result: unknown = null;
  try {
    result = await response.json();
  } catch {
    result = null;
  }
  if (!response.ok) {
    const message = (result as { error?: { message?: string } } | null)?.error?.message;
    return { ok: false, action, status: response.status, message: message ?? `The server answered ${response.status}.` };
  }
  return { ok: true, action, result };
}

/** Focus a window of the app and send it to `url`, or open one. */
export async function openApp(url: string, deps: WorkerDeps): Promise<"focused" | "opened"> {
  const target = new URL(url || "/", deps.origin);
  const windows = await deps.windows();
  const client =
    windows.find((c) => new URL(c.url).pathname === target.pathname) ??
    windows.find((c) => c.focused) ??
    windows[0];
  if (client) {
    client.postMessage({ type: "navigate", url: target.pathname + target.search });
    await client.focus();
    return "focused";
  }
  await deps.openWindow(target.href);
  return "opened";
}

export type ClickOutcome =
  | { kind: "action"; outcome: ActionOutcome }
  | { kind: "open"; how: "focused" | "opened" };

/**
 * `notificationclick`: a button (Done / Snooze) acts on the server without opening anything;
 * a click on the body opens the task. A failed button says so in a follow-up notification
 * that opens the task.
 */
export async function handleNotificationClick(
  action: string,
  data: PushPayload | null | undefined,
  deps: WorkerDeps,
): Promise<ClickOutcome> {
  const payload = data ?? parsePushData(null);
  if (action === "done" || action === "snooze") {
    const outcome = await handleNotificationAction(action, payload, deps.fetch);
    if (outcome.ok) {
      for (const client of await deps.windows()) {
        client.postMessage({ type: "task-changed", task_id: payload.task_id });
      }
    } else {
      const verb = action === "done" ? "mark it done" : "snooze it";
      await deps.showNotification(payload.title, {
        ...notificationOptions({ ...payload, actions: [] }),
        body: `Couldn't ${verb}: ${outcome.message} Tap to open the task.`,
        requireInteraction: false,
      });
    }
    return { kind: "action", outcome };
  }
  return { kind: "open", how: await openApp(payload.url, deps) };
}
