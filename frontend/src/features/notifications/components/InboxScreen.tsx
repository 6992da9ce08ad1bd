import { useCallback, useEffect, useState } from "react";
import { Icon } from "../../../components/Icon";
import { EmptyState, ErrorNotice, Spinner } from "../../../components/States";
import { useToast } from "../../../components/Toast";
import { errorMessage } from "../../../lib/api-client";
import { Link, navigate } from "../../../lib/router";
import { useSession } from "../../../lib/session";
import { formatAgo } from "../../../lib/time";
import { listNotifications, markAllRead, markRead, type AppNotification } from "../api/notifications";
import { usePushState } from "../hooks/usePush";
import { refreshUnread, setUnreadCount, useUnread } from "../hooks/useUnread";

const PAGE_SIZE = 30;

export function InboxScreen() {
  const { me } = useSession();
  const toast = useToast();
  const push = usePushState();
  const { count: unreadCount } = useUnread();
  const [onlyUnread, setOnlyUnread] = useState(false);
  const [items, setItems] = useState<AppNotification[]>([]);
  const [page, setPage] = useState(1);
  const [hasMore, setHasMore] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(
    async (signal?: AbortSignal) => {
      setLoading(true);
      setError(null);
      try {
        const result = await listNotifications({ unread: onlyUnread || undefined, page: 1, page_size: PAGE_SIZE }, signal);
        setItems(result.results);
        setHasMore(result.next !== null);
        setPage(1);
        setUnreadCount(result.unread_count);
      } catch (err) {
        if (!signal?.aborted) setError(errorMessage(err));
      } finally {
        if (!signal?.aborted) setLoading(false);
      }
    },
    [onlyUnread],
  );

  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load]);

  // New reminders arriving while the inbox is open appear without a reload.
  useEffect(() => {
    if (unreadCount !== null && unreadCount > items.filter((n) => !n.read).length && !loading) void load();
  }, [unreadCount]);

  async function loadMore() {
    try {
      const result = await listNotifications({ unread: onlyUnread || undefined, page: page + 1, page_size: PAGE_SIZE });
      setItems((all) => [...all, ...result.results.filter((n) => !all.some((a) => a.id === n.id))]);
      setPage(page + 1);
      setHasMore(result.next !== null);
    } catch (err) {
      toast({ message: errorMessage(err), tone: "error" });
    }
  }

  async function open(item: AppNotification) {
    if (!item.read) {
      setItems((all) => all.map((n) => (n.id === item.id ? { ...n, read: true, read_at: new Date().toISOString() } : n)));
      void markRead(item.id).then(refreshUnread).catch(() => {});
    }
    if (item.url) navigate(item.url);
  }

  async function readAll() {
    try {
      const result = await markAllRead();
      setItems((all) => (onlyUnread ? [] : all.map((n) => ({ ...n, read: true }))));
      setUnreadCount(result.unread_count);
    } catch (err) {
      toast({ message: errorMessage(err), tone: "error" });
    }
  }

  const unread = items.filter((n) => !n.read).length;
  const pushHint =
    push.state === "off" || push.state === "denied" || push.state === "unsupported" || push.state === "server-off";

  return (
    <section className="inbox" aria-labelledby="inbox-title">
      <header className="page-header">
        <h1 id="inbox-title" className="page-title">
          Inbox
        </h1>
        <div className="page-header__actions">
          <label className="switch">
            <input type="checkbox" checked={onlyUnread} onChange={(e) => setOnlyUnread(e.target.checked)} />
            <span>Unread only</span>
          </label>
          <button type="button" className="btn btn--small" onClick={() => void readAll()} disabled={(unreadCount ?? unread) === 0}>
            <Icon name="check" size={16} /> Mark all read
          </button>
        </div>
      </header>

      {pushHint && (
        <p className="notice notice--info">
          <Icon name={push.state === "off" ? "bell" : "bellOff"} size={16} />
          <span>
            {push.state === "off" && "Push notifications are off on this device, so reminders show up here while the app is open. "}
            {push.state === "denied" && "Notifications are blocked in this browser, so reminders show up here while the app is open. "}
            {push.state === "unsupported" && "This browser can't show push notifications, so reminders show up here while the app is open. "}
            {push.state === "server-off" && "Push isn't set up on this server, so reminders show up here while the app is open. "}
            {push.state === "off" && <Link to="/settings">Turn them on in Settings</Link>}
          </span>
        </p>
      )}

      {loading && items.length === 0 && <Spinner label="Loading notifications…" />}
      {error && <ErrorNotice message={error} onRetry={() => void load()} />}
      {!loading && !error && items.length === 0 && (
        <EmptyState icon="inbox" title={onlyUnread ? "No unread notifications" : "No notifications yet"}>
          When a reminder is due, it shows up here — and as a push notification if you turned them on.
        </EmptyState>
      )}
      {items.length > 0 && (
        <ul className="notifications" aria-label="Notifications">
          {items.map((item) => (
            <li key={item.id}>
              <button
                type="button"
                className={`notification${item.read ? "" : " notification--unread"}`}
                onClick={() => void open(item)}
              >
                <span className="notification__icon" aria-hidden="true">
                  <Icon name="bell" size={16} />
                </span>
                <span className="notification__text">
                  <span className="notification__title">
                    {!item.read && <span className="visually-hidden">Unread: </span>}
                    {item.title}
                  </span>
                  {item.body && <span className="notification__body">{item.body}</span>}
                </span>
                <time className="notification__time" dateTime={item.created_at}>
                  {formatAgo(item.created_at, me.timezone)}
                </time>
              </button>
            </li>
          ))}
        </ul>
      )}
      {hasMore && (
        <button type="button" className="btn btn--ghost load-more" onClick={() => void loadMore()}>
          Show more
        </button>
      )}
    </section>
  );
}
