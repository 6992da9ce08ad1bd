/**
 * The unread count behind the bell, kept fresh while the app is open: polled, refreshed when
 * the tab comes back and when the service worker reports a push. This is also how reminders
 * reach people whose browser cannot, or may not, show push notifications.
 */
import { useSyncExternalStore } from "react";
import { listNotifications, type AppNotification } from "../api/notifications";

interface UnreadState {
  count: number | null;
  /** The newest unread notification when the count last went up. */
  arrived: AppNotification | null;
}

let state: UnreadState = { count: null, arrived: null };
const listeners = new Set<() => void>();
let inflight: Promise<void> | null = null;

function set(next: UnreadState) {
  state = next;
  listeners.forEach((listener) => listener());
}

export function refreshUnread(): Promise<void> {
  inflight ??= listNotifications({ unread: true, page_size: 1 })
    .then((page) => {
      const grew = state.count !== null && page.unread_count > state.count;
      set({ count: page.unread_count, arrived: grew ? (page.results[0] ?? null) : null });
    })
    .catch(() => {})
    .finally(() => {
      inflight = null;
    });
  return inflight;
}

export function setUnreadCount(count: number): void {
  set({ count, arrived: null });
}

export function resetUnread(): void {
  set({ count: null, arrived: null });
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useUnread(): UnreadState {
  return useSyncExternalStore(subscribe, () => state);
}
