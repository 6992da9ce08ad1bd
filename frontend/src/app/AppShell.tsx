import { useEffect } from "react";
import { Icon, type IconName } from "../components/Icon";
import { Link, navigate, useLocation, withParams } from "../lib/router";
import { useSession } from "../lib/session";
import { ChatScreen } from "../features/chat/components/ChatScreen";
import { Bell } from "../features/notifications/components/Bell";
import { InboxScreen } from "../features/notifications/components/InboxScreen";
import { PushPrompt } from "../features/notifications/components/PushPrompt";
import { push } from "../features/notifications/hooks/usePush";
import { useServiceWorkerMessages } from "../features/notifications/hooks/useServiceWorkerMessages";
import { TaskPanel } from "../features/tasks/components/TaskPanel";
import { TasksScreen } from "../features/tasks/components/TasksScreen";
import { SettingsScreen } from "./SettingsScreen";

const NAV: { to: string; label: string; icon: IconName; match: (path: string) => boolean }[] = [
  { to: "/", label: "Chat", icon: "chat", match: (p) => p === "/" },
  { to: "/tasks", label: "Tasks", icon: "tasks", match: (p) => p.startsWith("/tasks") },
  { to: "/settings", label: "Settings", icon: "settings", match: (p) => p.startsWith("/settings") },
];

const TASK_PATH = /^\/tasks\/(\d+)\/?$/;

function NotFound() {
  return (
    <section className="not-found">
      <h1 className="page-title">Page not found</h1>
      <p>
        <Link to="/">Back to the chat</Link>
      </p>
    </section>
  );
}

export function AppShell() {
  const { me, signOut } = useSession();
  const { pathname, search } = useLocation();
  useServiceWorkerMessages();

  // Signed in on the sign-in or sign-up address: go home.
  useEffect(() => {
    if (pathname === "/signin" || pathname === "/signup") navigate("/", { replace: true });
  }, [pathname]);

  // Every load: register the service worker and re-sync this browser's push subscription.
  useEffect(() => {
    void push.sync();
  }, []);

  const taskPathId = TASK_PATH.exec(pathname)?.[1];
  const taskId = Number(search.get("task") ?? taskPathId ?? NaN);

  let screen;
  let title;
  if (pathname === "/") [screen, title] = [<ChatScreen />, "Chat"];
  else if (pathname === "/tasks" || pathname === "/tasks/" || taskPathId) [screen, title] = [<TasksScreen />, "Tasks"];
  else if (pathname === "/inbox") [screen, title] = [<InboxScreen />, "Inbox"];
  else if (pathname === "/settings") [screen, title] = [<SettingsScreen />, "Settings"];
  else [screen, title] = [<NotFound />, "Not found"];

  useEffect(() => {
    document.title = `${title} · Todo Reminders`;
  }, [title]);

  function closePanel() {
    navigate(taskPathId ? "/tasks" : withParams({ task: null }));
  }

  function openTask(id: number) {
    navigate(taskPathId ? `/tasks/${id}` : withParams({ task: String(id) }));
  }

  return (
    <div className={`shell${pathname === "/" ? " shell--chat" : ""}`}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="shell__bar">
        <Link to="/" className="brand" aria-label="Todo Reminders, home">
          <span className="brand__mark" aria-hidden="true">
            <Icon name="check" size={16} />
          </span>
          <span className="brand__name">Todo Reminders</span>
        </Link>
        <Bell />
      </header>
      <nav className="shell__nav" aria-label="Main">
        {NAV.map((item) => {
          const current = item.match(pathname);
          return (
            <Link key={item.to} to={item.to} className={`nav-link${current ? " nav-link--current" : ""}`} aria-current={current ? "page" : undefined}>
              <Icon name={item.icon} size={20} />
              <span>{item.label}</span>
            </Link>
          );
        })}
      </nav>
      <div className="shell__account">
        <span className="avatar" aria-hidden="true">
          {me.username.slice(0, 1).toUpperCase()}
        </span>
        <span className="shell__user" title={me.username}>
          {me.username}
        </span>
        <button type="button" className="icon-button" aria-label="Sign out" title="Sign out" onClick={() => void signOut()}>
          <Icon name="logout" size={18} />
        </button>
      </div>
      <main id="main" className="shell__main" tabIndex={-1}>
        {(pathname === "/" || pathname.startsWith("/tasks")) && <PushPrompt />}
        {screen}
      </main>
      {Number.isInteger(taskId) && taskId > 0 && <TaskPanel key={taskId} taskId={taskId} onClose={closePanel} onOpenTask={openTask} />}
    </div>
  );
}
