import { api } from "../../../lib/api-client";
import type { Page } from "../../../lib/types";

export interface AppNotification {
  id: number;
  title: string;
  body: string;
  /** Where it leads in the app, e.g. "/tasks/12". */
  url: string;
  task_id: number | null;
  reminder_id: number | null;
  created_at: string;
  read_at: string | null;
  read: boolean;
  delivery_state: string;
}

export interface NotificationPage extends Page<AppNotification> {
  /** Every unread notification, not only this page's. */
  unread_count: number;
}

export interface VapidKey {
  enabled: boolean;
  public_key: string | null;
}

/** The browser's `PushSubscription.toJSON()`. */
export interface SubscriptionJson {
  endpoint?: string;
  expirationTime?: number | null;
  keys?: Record<string, string>;
}

export const listNotifications = (
  query: { unread?: boolean; page?: number; page_size?: number } = {},
  signal?: AbortSignal,
) => api.get<NotificationPage>("/api/notifications/", { query, signal });

export const markRead = (id: number) => api.post<AppNotification>(`/api/notifications/${id}/read/`);

export const markAllRead = () => api.post<{ marked: number; unread_count: number }>("/api/notifications/read-all/");

export const getVapidKey = () => api.get<VapidKey>("/api/push/vapid-public-key/");

/** Upsert by endpoint: safe to repeat on every load. */
export const saveSubscription = (subscription: SubscriptionJson) => api.post("/api/push/subscriptions/", subscription);

export const deleteSubscription = (endpoint: string) => api.delete("/api/push/subscriptions/", { endpoint });
