/** Messages from the service worker: a push arrived, a notification button changed a task, go to a URL. */
import { useEffect } from "react";
import { emitTasksChanged } from "../../../lib/events";
import { navigate } from "../../../lib/router";
import { refreshUnread } from "./useUnread";

type WorkerMessage =
  | { type: "push"; notification_id?: number }
  | { type: "task-changed"; task_id?: number }
  | { type: "navigate"; url: string };

export function useServiceWorkerMessages(): void {
  useEffect(() => {
    if (!("serviceWorker" in navigator)) return;
    function onMessage(event: MessageEvent<WorkerMessage>) {
      const message = event.data;
      if (!message || typeof message !== "object") return;
      if (message.type === "push") void refreshUnread();
      if (message.type === "task-changed") {
        emitTasksChanged({ taskId: message.task_id });
        void refreshUnread();
      }
      if (message.type === "navigate" && typeof message.url === "string") navigate(message.url);
    }
    navigator.serviceWorker.addEventListener("message", onMessage);
    return () => navigator.serviceWorker.removeEventListener("message", onMessage);
  }, []);
}
