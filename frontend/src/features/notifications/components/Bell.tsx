import { useEffect } from "react";
import { Icon } from "../../../components/Icon";
import { useToast } from "../../../components/Toast";
import { Link, navigate } from "../../../lib/router";
import { markRead } from "../api/notifications";
import { refreshUnread, useUnread } from "../hooks/useUnread";

const POLL_MS = 30_000;

/** The bell with the unread badge; while the app is open it also polls for new reminders. */
export function Bell() {
  const { count, arrived } = useUnread();
  const toast = useToast();

  useEffect(() => {
    void refreshUnread();
    const timer = window.setInterval(() => {
      if (document.visibilityState === "visible") void refreshUnread();
    }, POLL_MS);
    const onVisible = () => {
      if (document.visibilityState === "visible") void refreshUnread();
    };
    document.addEventListener("visibilitychange", onVisible);
    window.addEventListener("focus", onVisible);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisible);
      window.removeEventListener("focus", onVisible);
    };
  }, []);

  // A reminder that arrived while the app is open is shown in-app too (push or not).
  useEffect(() => {
    if (!arrived) return;
    toast({
      message: `Reminder: ${arrived.title}${arrived.body ? ` — ${arrived.body}` : ""}`,
      action: {
        label: "Open",
        onClick: () => {
          void markRead(arrived.id).then(refreshUnread);
          navigate(arrived.url || "/inbox");
        },
      },
      duration: 12_000,
    });
  }, [arrived, toast]);

  const unread = count ?? 0;
  const label = unread ? `Notifications, ${unread} unread` : "Notifications";
  return (
    <Link to="/inbox" className="bell" aria-label={label} title={label}>
      <Icon name="bell" size={20} />
      {unread > 0 && (
        <span className="bell__badge" aria-hidden="true" data-testid="unread-badge">
          {unread > 99 ? "99+" : unread}
        </span>
      )}
    </Link>
  );
}
