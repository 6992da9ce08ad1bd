import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { Icon, type IconName } from "../../../components/Icon";
import { EmptyState, ErrorNotice, Spinner } from "../../../components/States";
import { TaskCard } from "../../../components/TaskCard";
import { useToast } from "../../../components/Toast";
import { ApiError, errorMessage } from "../../../lib/api-client";
import { onTasksChanged } from "../../../lib/events";
import { Link, navigate, useLocation, withParams } from "../../../lib/router";
import { useSession } from "../../../lib/session";
import { addDays, formatDay, formatDue, todayIn, toWallDate } from "../../../lib/time";
import type { Task } from "../../../lib/types";
import {
  completeTask,
  createFromDraft,
  draftTask,
  findNextOccurrence,
  listTasks,
  reopenTask,
  type TaskDraft,
  type TaskFilters,
} from "../api/tasks";

type Tab = "today" | "upcoming" | "overdue" | "all" | "completed";

const TABS: { id: Tab; label: string }[] = [
  { id: "today", label: "Today" },
  { id: "upcoming", label: "Upcoming" },
  { id: "overdue", label: "Overdue" },
  { id: "all", label: "All" },
  { id: "completed", label: "Completed" },
];

const EMPTY: Record<Tab, { icon: IconName; title: string; body: string }> = {
  today: { icon: "sparkle", title: "Nothing due today", body: "Add a task above, or tell the chat what's coming up." },
  upcoming: { icon: "calendar", title: "Nothing coming up", body: "Tasks due after today show up here." },
  overdue: { icon: "check", title: "You're all caught up", body: "Nothing is overdue." },
  all: { icon: "tasks", title: "No open tasks", body: "Add one above, or in the chat." },
  completed: { icon: "check", title: "Nothing completed yet", body: "Tasks you finish are kept here." },
};

function isTab(value: string | null): value is Tab {
  return TABS.some((t) => t.id === value);
}

function filtersFor(tab: Tab, q: string): TaskFilters {
  if (q) return { q, page_size: 50 };
  switch (tab) {
    case "today":
    case "upcoming":
    case "overdue":
      return { view: tab, page_size: 50 };
    case "all":
      return { status: "open", page_size: 50 };
    case "completed":
      return { status: "completed", page_size: 50 };
  }
}

/** Tasks grouped under day headings ("Tomorrow", "Fri, Mar 6"); undated ones last. */
function groupByDay(tasks: Task[], tz: string): { key: string; label: string; tasks: Task[] }[] {
  const groups = new Map<string, { key: string; label: string; tasks: Task[] }>();
  for (const task of tasks) {
    const key = task.due_at ? toWallDate(task.due_at, tz) : "none";
    if (!groups.has(key)) {
      groups.set(key, { key, label: task.due_at ? formatDay(task.due_at, tz) : "No date", tasks: [] });
    }
    groups.get(key)?.tasks.push(task);
  }
  return [...groups.values()].sort((a, b) => (a.key === "none" ? 1 : b.key === "none" ? -1 : a.key.localeCompare(b.key)));
}

type QuickWhen = "none" | "today" | "tomorrow" | "week";

export function TasksScreen() {
  const { me } = useSession();
  const tz = me.timezone;
  const toast = useToast();
  const { search } = useLocation();
  const tab: Tab = isTab(search.get("view")) ? (search.get("view") as Tab) : "today";
  const q = search.get("q") ?? "";

  const [tasks, setTasks] = useState<Task[]>([]);
  const [count, setCount] = useState(0);
  const [page, setPage] = useState(1);
  const [hasMore, setHasMore] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<number | null>(null);
  const [counts, setCounts] = useState<{ today: number; overdue: number }>({ today: 0, overdue: 0 });
  const [query, setQuery] = useState(q);
  const [title, setTitle] = useState("");
  const [when, setWhen] = useState<QuickWhen>("today");
  const [adding, setAdding] = useState(false);
  const [addError, setAddError] = useState<string | null>(null);
  // What the text would add, read by the backend as the chat reads a task, while it is typed.
  const [draft, setDraft] = useState<TaskDraft | null>(null);
  const [reloadKey, setReloadKey] = useState(0);
  const requestSeq = useRef(0);

  const reload = useCallback(() => setReloadKey((k) => k + 1), []);

  useEffect(() => setWhen(tab === "upcoming" ? "tomorrow" : tab === "all" || tab === "completed" ? "none" : "today"), [tab]);
  useEffect(() => setQuery(q), [q]);

  // The quick add's text read as you type (debounced): its date, repeat, tags and priority.
  useEffect(() => {
    const text = title.trim();
    setAddError(null);
    if (text.length < 3) {
      setDraft(null);
      return;
    }
    const controller = new AbortController();
    const timer = window.setTimeout(() => {
      draftTask(text, controller.signal).then(
        (found) => setDraft(found),
        (err) => {
          if (!controller.signal.aborted) setDraft(null);
          if (err instanceof ApiError && err.status === 400) setAddError(errorMessage(err));
        },
      );
    }, 300);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [title]);

  // Search as you type (debounced), kept in the URL so a reload keeps it.
  useEffect(() => {
    if (query === q) return;
    const timer = window.setTimeout(() => navigate(withParams({ q: query.trim() || null }), { replace: true }), 250);
    return () => window.clearTimeout(timer);
  }, [query, q]);

  useEffect(() => {
    const seq = ++requestSeq.current;
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    listTasks({ ...filtersFor(tab, q), page: 1 }, controller.signal)
      .then((result) => {
        if (seq !== requestSeq.current) return;
        setTasks(result.results);
        setCount(result.count);
        setPage(1);
        setHasMore(result.next !== null);
      })
      .catch((err: unknown) => {
        if (!controller.signal.aborted) setError(errorMessage(err));
      })
      .finally(() => {
        if (seq === requestSeq.current) setLoading(false);
      });
    return () => controller.abort();
  }, [tab, q, reloadKey]);

  useEffect(() => {
    const controller = new AbortController();
    Promise.all([
      listTasks({ view: "today", page_size: 1 }, controller.signal),
      listTasks({ view: "overdue", page_size: 1 }, controller.signal),
    ])
      .then(([today, overdue]) => setCounts({ today: today.count, overdue: overdue.count }))
      .catch(() => {});
    return () => controller.abort();
  }, [reloadKey]);

  useEffect(() => onTasksChanged(() => reload()), [reload]);

  async function loadMore() {
    const nextPage = page + 1;
    try {
      const result = await listTasks({ ...filtersFor(tab, q), page: nextPage });
      setTasks((all) => [...all, ...result.results.filter((t) => !all.some((a) => a.id === t.id))]);
      setPage(nextPage);
      setHasMore(result.next !== null);
    } catch (err) {
      toast({ message: errorMessage(err), tone: "error" });
    }
  }

  async function toggle(task: Task) {
    setBusy(task.id);
    try {
      const updated = task.completed ? await reopenTask(task.id) : await completeTask(task.id);
      setTasks((all) => all.map((t) => (t.id === updated.id ? updated : t)));
      // Let the check mark be seen, then drop it from a list it no longer belongs to.
      window.setTimeout(() => {
        setTasks((all) => all.filter((t) => t.id !== updated.id || q !== "" || (tab === "completed") === updated.completed));
        setCount((c) => (q === "" ? Math.max(0, c - 1) : c));
        reload();
      }, 700);
      // Undo reopens the task, which takes back the next occurrence its completion created:
      // stop looking for that one, so no toast offers to open it.
      const searching = new AbortController();
      toast({
        message: updated.completed ? `Completed “${updated.title}”.` : `Reopened “${updated.title}”.`,
        action: updated.completed
          ? {
              label: "Undo",
              onClick: () => {
                searching.abort();
                void reopenTask(updated.id).then(reload);
              },
            }
          : undefined,
      });
      if (updated.completed && updated.series_id !== null) {
        findNextOccurrence(updated, { signal: searching.signal })
          .then((found) => {
            if (!found || searching.signal.aborted) return;
            toast({
              message: `Next “${found.title}”: ${formatDue(found, tz)}.`,
              action: { label: "Open", onClick: () => navigate(withParams({ task: String(found.id) })) },
            });
            reload();
          })
          .catch(() => {}); // a courtesy: the list shows the next occurrence on its next load
      }
    } catch (err) {
      toast({ message: errorMessage(err), tone: "error" });
    } finally {
      setBusy(null);
    }
  }

  async function quickAdd(event: FormEvent) {
    event.preventDefault();
    const text = title.trim();
    if (!text) return;
    setAdding(true);
    setAddError(null);
    const today = todayIn(tz);
    const due = { none: null, today, tomorrow: addDays(today, 1), week: addDays(today, 7) }[when];
    try {
      // Read afresh: the preview may be a keystroke behind.
      const task = await createFromDraft(await draftTask(text), due);
      setTitle("");
      setDraft(null);
      reload();
      toast({
        message: `Added “${task.title}”${task.due_at ? ` · ${formatDue(task, tz)}` : ""}.`,
        action: { label: "Open", onClick: () => navigate(withParams({ task: String(task.id) })) },
      });
    } catch (err) {
      setAddError(errorMessage(err));
    } finally {
      setAdding(false);
    }
  }

  const current = draft !== null && draft.title !== "" && title.trim().length >= 3 ? draft : null;
  // The text names a date or a repeat: it decides the due, not the menu.
  const dated = current !== null && (current.due_at !== null || current.recurrence !== null);
  // Worth showing when the text says more than a title.
  const understood =
    current !== null &&
    (dated || current.tags.length > 0 || current.priority !== "none" || current.reminders !== null);
  const open = (task: Task) => navigate(withParams({ task: String(task.id) }));
  const grouped = !q && (tab === "upcoming" || tab === "all");
  const empty = q
    ? { icon: "search" as IconName, title: `No tasks match “${q}”`, body: "Try another word, or clear the search." }
    : EMPTY[tab];

  return (
    <section className="tasks" aria-labelledby="tasks-title">
      <header className="page-header">
        <h1 id="tasks-title" className="page-title">
          Tasks
        </h1>
        <div className="search">
          <Icon name="search" size={16} />
          <label htmlFor="task-search" className="visually-hidden">
            Search tasks
          </label>
          <input
            id="task-search"
            type="search"
            placeholder="Search tasks"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
        </div>
      </header>

      <nav className="tabs" aria-label="Task lists">
        {TABS.map((t) => {
          const badge = t.id === "today" ? counts.today : t.id === "overdue" ? counts.overdue : 0;
          const current = !q && t.id === tab;
          return (
            <Link
              key={t.id}
              to={`/tasks?view=${t.id}`}
              className={`tab${current ? " tab--current" : ""}`}
              aria-current={current ? "page" : undefined}
            >
              {t.label}
              {badge > 0 && (
                <span className={`tab__count${t.id === "overdue" ? " tab__count--danger" : ""}`} aria-label={`(${badge})`}>
                  {badge}
                </span>
              )}
            </Link>
          );
        })}
      </nav>

      {tab !== "completed" && !q && (
        <form className="quick-add" onSubmit={quickAdd}>
          <Icon name="plus" size={18} />
          <label htmlFor="quick-add" className="visually-hidden">
            New task
          </label>
          <input
            id="quick-add"
            placeholder="Add a task"
            value={title}
            maxLength={200}
            onChange={(e) => setTitle(e.target.value)}
            aria-describedby={addError ? "quick-add-error" : understood ? "quick-add-preview" : undefined}
          />
          {!dated && (
            <>
              <label htmlFor="quick-add-when" className="visually-hidden">
                Due
              </label>
              <select id="quick-add-when" value={when} onChange={(e) => setWhen(e.target.value as QuickWhen)}>
                <option value="none">No date</option>
                <option value="today">Today</option>
                <option value="tomorrow">Tomorrow</option>
                <option value="week">In a week</option>
              </select>
            </>
          )}
          <button type="submit" className="btn btn--primary btn--small" disabled={!title.trim() || adding}>
            Add
          </button>
        </form>
      )}
      {addError ? (
        <p id="quick-add-error" className="field-error" role="alert">
          {addError} Or put the title in "quotes" to keep it as typed.
        </p>
      ) : (
        draft &&
        understood && (
          <p id="quick-add-preview" className="quick-add__preview" data-testid="quick-add-preview" aria-live="polite">
            <Icon name="check" size={14} /> “{draft.title}” · {draft.summary}
          </p>
        )
      )}

      <div className="task-list" aria-busy={loading}>
        {q && !loading && (
          <p className="list-caption">
            {count} result{count === 1 ? "" : "s"} for “{q}”
          </p>
        )}
        {loading && tasks.length === 0 && <Spinner label="Loading tasks…" />}
        {error && <ErrorNotice message={error} onRetry={reload} />}
        {!loading && !error && tasks.length === 0 && (
          <EmptyState icon={empty.icon} title={empty.title}>
            {empty.body}
          </EmptyState>
        )}
        {grouped
          ? groupByDay(tasks, tz).map((group) => (
              <section key={group.key} className="day-group" aria-label={group.label}>
                <h2 className="day-group__title">{group.label}</h2>
                <ul className="rows">
                  {group.tasks.map((task) => (
                    <li key={task.id}>
                      <TaskCard task={task} tz={tz} busy={busy === task.id} onToggle={toggle} onOpen={open} />
                    </li>
                  ))}
                </ul>
              </section>
            ))
          : tasks.length > 0 && (
              <ul className="rows">
                {tasks.map((task) => (
                  <li key={task.id}>
                    <TaskCard task={task} tz={tz} busy={busy === task.id} onToggle={toggle} onOpen={open} />
                  </li>
                ))}
              </ul>
            )}
        {hasMore && (
          <button type="button" className="btn btn--ghost load-more" onClick={() => void loadMore()}>
            Show more
          </button>
        )}
      </div>
    </section>
  );
}
