/**
 * Web Push on this device: the service worker, permission, the subscription and keeping the
 * server's copy of it current. Browser objects come in as arguments so the logic is testable.
 */
import { ApiError } from "../../../lib/api-client";
import type { SubscriptionJson, VapidKey } from "../api/notifications";

export type PushState =
  | { state: "checking" }
  | { state: "unsupported" }
  | { state: "server-off" }
  | { state: "denied" }
  | { state: "off" }
  | { state: "on" }
  | { state: "error"; message: string };

export interface SubscriptionLike {
  endpoint: string;
  options?: { applicationServerKey?: ArrayBuffer | null };
  toJSON(): SubscriptionJson;
  unsubscribe(): Promise<boolean>;
}

export interface PushManagerLike {
  getSubscription(): Promise<SubscriptionLike | null>;
  subscribe(options: { userVisibleOnly: boolean; applicationServerKey: Uint8Array }): Promise<SubscriptionLike>;
}

export interface PermissionLike {
  readonly permission: NotificationPermission;
  requestPermission(): Promise<NotificationPermission>;
}

export interface PushDeps {
  pushManager: PushManagerLike;
  permission: PermissionLike;
  vapidKey(): Promise<VapidKey>;
  save(subscription: SubscriptionJson): Promise<unknown>;
  remove(endpoint: string): Promise<unknown>;
}

/** The applicationServerKey PushManager.subscribe() wants, from the base64url the server sends. */
export function urlBase64ToUint8Array(base64url: string): Uint8Array {
  const padded = base64url.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (base64url.length % 4)) % 4);
  const raw = atob(padded);
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

export function sameKey(subscription: SubscriptionLike, publicKey: string): boolean {
  const key = subscription.options?.applicationServerKey;
  if (!key) return true; // the browser does not say: trust it
  const expected = urlBase64ToUint8Array(publicKey);
  const actual = new Uint8Array(key);
  return actual.length === expected.length && actual.every((byte, i) => byte === expected[i]);
}

function subscribe(pushManager: PushManagerLike, publicKey: string) {
  return pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: urlBase64ToUint8Array(publicKey) });
}

/**
 * On every load: tell the server about the subscription this browser has (an upsert), so a
 * renewed or moved subscription is never lost. Re-subscribes when the server's key changed.
 */
export async function syncPush(deps: PushDeps): Promise<PushState> {
  const key = await deps.vapidKey();
  if (!key.enabled || !key.public_key) return { state: "server-off" };
  if (deps.permission.permission === "denied") return { state: "denied" };
  let subscription = await deps.pushManager.getSubscription();
  if (subscription && !sameKey(subscription, key.public_key)) {
    await subscription.unsubscribe();
    subscription = deps.permission.permission === "granted" ? await subscribe(deps.pushManager, key.public_key) : null;
  }
  if (!subscription) return { state: "off" };
  await deps.save(subscription.toJSON());
  return { state: "on" };
}

/** Turn push on: only ever called from a click, since it may ask for permission. */
export async function enablePush(deps: PushDeps): Promise<PushState> {
  const permission =
    deps.permission.permission === "granted" ? "granted" : await deps.permission.requestPermission();
  if (permission === "denied") return { state: "denied" };
  if (permission !== "granted") return { state: "off" };
  const key = await deps.vapidKey();
  if (!key.enabled || !key.public_key) return { state: "server-off" };
  const subscription = (await deps.pushManager.getSubscription()) ?? (await subscribe(deps.pushManager, key.public_key));
  await deps.save(subscription.toJSON());
  return { state: "on" };
}

/** Turn push off on this device: the server forgets the subscription, the browser drops it. */
export async function disablePush(deps: Pick<PushDeps, "pushManager" | "remove">): Promise<PushState> {
  const subscription = await deps.pushManager.getSubscription();
  if (subscription) {
    try {
      await deps.remove(subscription.endpoint);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
    }
    await subscription.unsubscribe();
  }
  return { state: "off" };
}
