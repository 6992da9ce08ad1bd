import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../../../lib/api-client";
import { disablePush, enablePush, sameKey, syncPush, urlBase64ToUint8Array, type PushDeps, type SubscriptionLike } from "./push";

// A real base64url P-256 public key shape (65 bytes).
const KEY = "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U";

function subscription(endpoint = "https://fcm.googleapis.com/fcm/send/abc", key: string | null = KEY): SubscriptionLike {
  return {
    endpoint,
    options: { applicationServerKey: key ? urlBase64ToUint8Array(key).buffer as ArrayBuffer : null },
    toJSON: () => ({ endpoint, expirationTime: null, keys: { p256dh: "p", auth: "a" } }),
    unsubscribe: vi.fn(async () => true),
  };
}

function deps(changes: { existing?: SubscriptionLike | null; permission?: NotificationPermission; answer?: NotificationPermission; enabled?: boolean } = {}) {
  const created = subscription("https://fcm.googleapis.com/fcm/send/new");
  const d = {
    pushManager: {
      getSubscription: vi.fn(async () => changes.existing ?? null),
      subscribe: vi.fn(async (_options: { userVisibleOnly: boolean; applicationServerKey: Uint8Array }) => created),
    },
    permission: {
      permission: changes.permission ?? "default",
      requestPermission: vi.fn(async () => changes.answer ?? "granted"),
    },
    vapidKey: vi.fn(async () => ({ enabled: changes.enabled ?? true, public_key: changes.enabled === false ? null : KEY })),
    save: vi.fn(async () => ({})),
    remove: vi.fn(async () => undefined),
  } satisfies PushDeps;
  return { d, created };
}

describe("push subscription", () => {
  it("decodes the server's base64url key", () => {
    const bytes = urlBase64ToUint8Array(KEY);
    expect(bytes.length).toBe(65);
    expect(bytes[0]).toBe(4);
    expect(sameKey(subscription(), KEY)).toBe(true);
    expect(sameKey(subscription(undefined, "AAAA"), KEY)).toBe(false);
  });

  it("re-syncs the existing subscription on load (an upsert)", async () => {
    const existing = subscription();
    const { d } = deps({ existing, permission: "granted" });
    expect(await syncPush(d)).toEqual({ state: "on" });
    expect(d.save).toHaveBeenCalledWith(existing.toJSON());
    expect(d.permission.requestPermission).not.toHaveBeenCalled();
  });

  it("is off, without asking anything, when there is no subscription yet", async () => {
    const { d } = deps();
    expect(await syncPush(d)).toEqual({ state: "off" });
    expect(d.permission.requestPermission).not.toHaveBeenCalled();
    expect(d.save).not.toHaveBeenCalled();
  });

  it("re-subscribes when the server's key changed", async () => {
    const old = subscription(undefined, "AAAA");
    const { d, created } = deps({ existing: old, permission: "granted" });
    expect(await syncPush(d)).toEqual({ state: "on" });
    expect(old.unsubscribe).toHaveBeenCalled();
    expect(d.save).toHaveBeenCalledWith(created.toJSON());
  });

  it("says when the server has push turned off, or the browser blocks it", async () => {
    expect(await syncPush(deps({ enabled: false }).d)).toEqual({ state: "server-off" });
    expect(await syncPush(deps({ permission: "denied" }).d)).toEqual({ state: "denied" });
  });

  it("turning on asks permission, subscribes with the VAPID key and sends the subscription", async () => {
    const { d, created } = deps();
    expect(await enablePush(d)).toEqual({ state: "on" });
    expect(d.permission.requestPermission).toHaveBeenCalledOnce();
    const options = d.pushManager.subscribe.mock.calls[0][0];
    expect(options.userVisibleOnly).toBe(true);
    expect([...options.applicationServerKey]).toEqual([...urlBase64ToUint8Array(KEY)]);
    expect(d.save).toHaveBeenCalledWith(created.toJSON());
  });

  it("stays off when permission is refused or dismissed", async () => {
    expect(await enablePush(deps({ answer: "denied" }).d)).toEqual({ state: "denied" });
    const dismissed = deps({ answer: "default" }).d;
    expect(await enablePush(dismissed)).toEqual({ state: "off" });
    expect(dismissed.pushManager.subscribe).not.toHaveBeenCalled();
  });

  it("turning off forgets the subscription on the server and in the browser", async () => {
    const existing = subscription();
    const { d } = deps({ existing });
    d.remove.mockRejectedValueOnce(new ApiError(404, { code: "not_found", message: "No such push subscription.", fields: {} }));
    expect(await disablePush(d)).toEqual({ state: "off" });
    expect(d.remove).toHaveBeenCalledWith(existing.endpoint);
    expect(existing.unsubscribe).toHaveBeenCalled();
  });
});
