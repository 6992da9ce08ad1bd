/// <reference lib="webworker" />
/**
 * The service worker (/sw.js, scope /): shows reminders pushed by the server and handles their
 * buttons. The logic lives in ./sw/handlers.ts; this file only wires it to the events.
 */
import {
  handleNotificationAction,
  handleNotificationClick,
  handlePush,
  type PushPayload,
  type ShowOptions,
  type WorkerDeps,
} from "./sw/handlers";

declare const self: ServiceWorkerGlobalScope & { todoSW?: unknown };

function deps(): WorkerDeps {
  return {
    fetch: (url, init) => fetch(url, init),
    windows: () => self.clients.matchAll({ type: "window", includeUncontrolled: true }),
    openWindow: (url) => self.clients.openWindow(url),
    showNotification: (title, options: ShowOptions) =>
      self.registration.showNotification(title, options as NotificationOptions),
    origin: self.location.origin,
  };
}

self.addEventListener("install", () => {
  void self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("push", (event) => {
  event.waitUntil(handlePush(event.data?.text() ?? null, deps()));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(handleNotificationClick(event.action, event.notification.data as PushPayload, deps()));
});

// The same functions, for tests driving a real browser (evaluated inside this worker).
self.todoSW = {
  handlePush: (text: string) => handlePush(text, deps()),
  handleNotificationAction: (action: string, data: PushPayload, fetchFn = fetch) =>
    handleNotificationAction(action, data, fetchFn),
  handleNotificationClick: (action: string, data: PushPayload) => handleNotificationClick(action, data, deps()),
};
