/** This device's push state, shared by the settings switch and the prompt banner. */
import { useSyncExternalStore } from "react";
import { errorMessage } from "../../../lib/api-client";
import { deleteSubscription, getVapidKey, saveSubscription } from "../api/notifications";
import { disablePush, enablePush, syncPush, type PushDeps, type PushManagerLike, type PushState } from "../utils/push";

let state: PushState = { state: "checking" };
const listeners = new Set<() => void>();

function set(next: PushState) {
  state = next;
  listeners.forEach((listener) => listener());
}

export function isPushSupported(): boolean {
  return (
    typeof window !== "undefined" &&
    window.isSecureContext &&
    "serviceWorker" in navigator &&
    "PushManager" in window &&
    "Notification" in window
  );
}

let registration: Promise<ServiceWorkerRegistration> | null = null;

/** Register /sw.js (scope /) once; resolves when a worker is active. */
export function registerServiceWorker(): Promise<ServiceWorkerRegistration> | null {
  if (!("serviceWorker" in navigator)) return null;
  if (!registration) {
    registration = navigator.serviceWorker
      .register("/sw.js", { scope: "/" })
      .then(() => navigator.serviceWorker.ready);
    registration.catch(() => {
      registration = null;
    });
  }
  return registration;
}

async function deps(): Promise<PushDeps> {
  const reg = await registerServiceWorker();
  if (!reg) throw new Error("Service workers are not available.");
  return {
    pushManager: reg.pushManager as unknown as PushManagerLike,
    permission: Notification,
    vapidKey: getVapidKey,
    save: saveSubscription,
    remove: deleteSubscription,
  };
}

async function run(action: (d: PushDeps) => Promise<PushState>) {
  if (!isPushSupported()) {
    set({ state: "unsupported" });
    return;
  }
  try {
    set(await action(await deps()));
  } catch (error) {
    set({ state: "error", message: errorMessage(error) });
  }
}

export const push = {
  /** Re-sync on every load: getSubscription() → upsert on the server. */
  sync: () => run(syncPush),
  /** From a click only (it may ask for permission). */
  enable: () => run(enablePush),
  disable: () => run(disablePush),
  /** Before signing out: this device stops receiving the user's reminders. */
  async forget(): Promise<void> {
    if (!isPushSupported() || !registration) return;
    try {
      await disablePush(await deps());
    } catch {
      // Signing out must not fail because of push; the server drops dead subscriptions itself.
    }
    set({ state: "checking" });
  },
};

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function usePushState(): PushState {
  return useSyncExternalStore(subscribe, () => state);
}
