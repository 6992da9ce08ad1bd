import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from "react";
import { Icon } from "../../../components/Icon";
import { ErrorNotice, Spinner } from "../../../components/States";
import { TaskCard } from "../../../components/TaskCard";
import { useToast } from "../../../components/Toast";
import { ApiError, errorMessage } from "../../../lib/api-client";
import { emitTasksChanged, onTasksChanged } from "../../../lib/events";
import { navigate, withParams } from "../../../lib/router";
import { useSession } from "../../../lib/session";
import type { Task } from "../../../lib/types";
import { latestConversation, sendMessage, setTaskDone, tasksByIds, type ChatAction } from "../api/chat";
import { actionTaskIds, replySuggestions, STARTERS } from "../utils/suggestions";

interface Line {
  key: string;
  role: "user" | "assistant";
  text: string;
  tasks: Task[];
  /** What an assistant's message did (its Undo chip depends on it). */
  actions?: ChatAction[];
  /** A message that failed to send, with the reason. */
  failed?: string;
}

let keySeq = 0;
const nextKey = () => `m${++keySeq}`;

/** How many of the latest stored messages get their task cards back when the chat opens. */
const HISTORY_CARDS = 30;

export function ChatScreen() {
  const { me } = useSession();
  const tz = me.timezone;
  const toast = useToast();
  const [lines, setLines] = useState<Line[]>([]);
  const [conversationId, setConversationId] = useState<number | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [draft, setDraft] = useState("");
  const [busyTask, setBusyTask] = useState<number | null>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const log = useRef<HTMLDivElement>(null);
  // Follow new messages while the reader is at the bottom; leave them be when they scrolled up.
  const pinned = useRef(true);

  const load = useCallback(async (signal?: AbortSignal) => {
    setLoading(true);
    setLoadError(null);
    try {
      const conversation = await latestConversation(signal);
      if (!conversation) {
        setLines([]);
        setConversationId(null);
        return;
      }
      const recent = conversation.messages.slice(-HISTORY_CARDS);
      const ids = [...new Set(recent.flatMap((m) => (m.role === "assistant" ? actionTaskIds(m.actions) : [])))];
      const tasks = await tasksByIds(ids, signal);
      setConversationId(conversation.id);
      setLines(
        conversation.messages.map((m) => ({
          key: `s${m.id}`,
          role: m.role,
          text: m.text,
          actions: m.actions,
          tasks:
            m.role === "assistant" && recent.includes(m)
              ? actionTaskIds(m.actions).flatMap((id) => tasks.get(id) ?? [])
              : [],
        })),
      );
    } catch (error) {
      if (signal?.aborted) return;
      setLoadError(errorMessage(error));
    } finally {
      if (!signal?.aborted) setLoading(false);
    }
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load]);

  // Cards follow changes made elsewhere (the task panel, a notification's Done button).
  useEffect(
    () =>
      onTasksChanged(({ task, taskId }) => {
        const replace = (fresh: Task) =>
          setLines((all) =>
            all.map((line) =>
              line.tasks.some((t) => t.id === fresh.id)
                ? { ...line, tasks: line.tasks.map((t) => (t.id === fresh.id ? fresh : t)) }
                : line,
            ),
          );
        if (task) replace(task);
        // Only an id (deleted, or changed by a notification button): fetch it again.
        else if (taskId !== undefined) {
          void tasksByIds([taskId]).then(
            (found) => {
              const fresh = found.get(taskId);
              if (fresh) replace(fresh);
              else setLines((all) => all.map((line) => ({ ...line, tasks: line.tasks.filter((t) => t.id !== taskId) })));
            },
            () => {},
          );
        }
      }),
    [],
  );

  useEffect(() => {
    const box = scroller.current;
    if (!box || !log.current) return;
    const toBottom = () => {
      if (pinned.current) box.scrollTop = box.scrollHeight;
    };
    const observer = new ResizeObserver(toBottom);
    observer.observe(log.current);
    observer.observe(box);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const box = scroller.current;
    if (box && pinned.current) box.scrollTop = box.scrollHeight;
  }, [lines, sending]);

  function onScroll() {
    const box = scroller.current;
    if (box) pinned.current = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  }

  async function send(text: string, retryKey?: string) {
    const message = text.trim();
    if (!message || sending) return;
    const key = retryKey ?? nextKey();
    setLines((all) => [
      ...all.filter((l) => l.key !== key),
      { key, role: "user", text: message, tasks: [] },
    ]);
    setDraft("");
    setSending(true);
    pinned.current = true;
    try {
      const reply = await sendMessage(message, conversationId);
      setConversationId(reply.conversation_id);
      // Earlier cards show what the reply did to their tasks: gone when deleted ("undo" after an
      // add), as they are now when changed ("move it to Monday").
      const deleted = new Set(reply.actions.filter((a) => a.type === "task.deleted").map((a) => a.task_id));
      const fresh = new Map(reply.tasks.map((t) => [t.id, t]));
      setLines((all) => [
        ...all.map((line) => ({
          ...line,
          tasks: line.tasks.filter((t) => !deleted.has(t.id)).map((t) => fresh.get(t.id) ?? t),
        })),
        { key: nextKey(), role: "assistant", text: reply.reply, tasks: reply.tasks, actions: reply.actions },
      ]);
      if (reply.actions.length) emitTasksChanged();
    } catch (error) {
      setLines((all) => all.map((l) => (l.key === key ? { ...l, failed: errorMessage(error) } : l)));
    } finally {
      setSending(false);
      input.current?.focus();
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send(draft);
    }
  }

  async function toggle(task: Task) {
    setBusyTask(task.id);
    try {
      const updated = await setTaskDone(task, !task.completed);
      emitTasksChanged({ task: updated });
      toast({
        message: updated.completed
          ? `Completed “${updated.title}”.${updated.recurrence ? " The next one is on its way." : ""}`
          : `Reopened “${updated.title}”.`,
        action: updated.completed
          ? {
              label: "Undo",
              onClick: () => {
                void setTaskDone(updated, false).then((t) => emitTasksChanged({ task: t }));
              },
            }
          : undefined,
      });
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        // Deleted elsewhere since (a bare "Not found." had been shown, the card left there)
        toast({ message: `“${task.title}” doesn’t exist any more.`, tone: "error" });
        emitTasksChanged({ taskId: task.id });
      } else {
        toast({ message: errorMessage(error), tone: "error" });
      }
    } finally {
      setBusyTask(null);
    }
  }

  function newChat() {
    setConversationId(null);
    setLines([]);
    input.current?.focus();
  }

  const last = lines[lines.length - 1];
  const quickReplies = !sending && last?.role === "assistant" ? replySuggestions(last.text, last.actions) : [];
  const firstName = me.username;

  return (
    <section className="chat" aria-labelledby="chat-title">
      <header className="page-header">
        <h1 id="chat-title" className="page-title">
          Chat
        </h1>
        <button type="button" className="btn btn--ghost btn--small" onClick={newChat} disabled={lines.length === 0}>
          <Icon name="plus" size={16} /> New chat
        </button>
      </header>

      <div className="chat__scroll" ref={scroller} onScroll={onScroll}>
        <div className="chat__log" ref={log} role="log" aria-label="Conversation" aria-busy={loading || sending}>
          {loading && <Spinner label="Loading your conversation…" />}
          {loadError && <ErrorNotice message={loadError} onRetry={() => void load()} />}
          {!loading && !loadError && lines.length === 0 && (
            <div className="chat__welcome">
              <div className="chat__welcome-mark" aria-hidden="true">
                <Icon name="sparkle" size={26} />
              </div>
              <h2>Hi {firstName}, what's on your mind?</h2>
              <p>
                Tell me what to do and when, in plain words. I'll keep the list and remind you on time — repeating
                things too.
              </p>
              <ul className="suggestions suggestions--starters" aria-label="Try one of these">
                {STARTERS.map((s) => (
                  <li key={s}>
                    <button type="button" className="suggestion" onClick={() => void send(s)}>
                      {s}
                    </button>
                  </li>
                ))}
              </ul>
            </div>
          )}
          {lines.map((line) => (
            <div key={line.key} className={`msg msg--${line.role}`}>
              {line.role === "assistant" && (
                <div className="msg__avatar" aria-hidden="true">
                  <Icon name="sparkle" size={16} />
                </div>
              )}
              <div className="msg__content">
                <p className="msg__bubble">
                  <span className="visually-hidden">{line.role === "user" ? "You: " : "Assistant: "}</span>
                  {line.text}
                </p>
                {line.failed && (
                  <div className="msg__failed" role="alert">
                    <Icon name="alert" size={14} /> Not sent: {line.failed}{" "}
                    <button type="button" className="link-button" onClick={() => void send(line.text, line.key)}>
                      Retry
                    </button>
                  </div>
                )}
                {line.tasks.length > 0 && (
                  <div className="msg__cards">
                    {line.tasks.map((task) => (
                      <TaskCard
                        key={task.id}
                        task={task}
                        tz={tz}
                        variant="card"
                        busy={busyTask === task.id}
                        onToggle={toggle}
                        onOpen={(t) => navigate(withParams({ task: String(t.id) }))}
                      />
                    ))}
                  </div>
                )}
              </div>
            </div>
          ))}
          {sending && (
            <div className="msg msg--assistant">
              <div className="msg__avatar" aria-hidden="true">
                <Icon name="sparkle" size={16} />
              </div>
              <div className="msg__content">
                <p className="msg__bubble msg__bubble--typing">
                  <span className="visually-hidden">Assistant is typing</span>
                  <span className="typing" aria-hidden="true">
                    <i />
                    <i />
                    <i />
                  </span>
                </p>
              </div>
            </div>
          )}
        </div>
      </div>

      <div className="composer-wrap">
        {quickReplies.length > 0 && (
          <ul className="suggestions" aria-label="Quick replies">
            {quickReplies.map((s) => (
              <li key={s}>
                <button type="button" className="suggestion suggestion--reply" onClick={() => void send(s)}>
                  {s}
                </button>
              </li>
            ))}
          </ul>
        )}
        <form
          className="composer"
          onSubmit={(event) => {
            event.preventDefault();
            void send(draft);
          }}
        >
          <label htmlFor="chat-input" className="visually-hidden">
            Message
          </label>
          <textarea
            id="chat-input"
            ref={input}
            className="composer__input"
            rows={1}
            value={draft}
            placeholder="Tell me what to do and when…"
            onChange={(event) => setDraft(event.target.value)}
            onKeyDown={onKeyDown}
            maxLength={2000}
            // On a phone, focusing would throw the keyboard over the conversation.
            autoFocus={window.matchMedia("(min-width: 861px)").matches}
            enterKeyHint="send"
          />
          <button type="submit" className="composer__send" aria-label="Send" disabled={!draft.trim() || sending}>
            <Icon name="send" size={18} />
          </button>
        </form>
        <p className="composer__hint">Enter to send · Shift+Enter for a new line</p>
      </div>
    </section>
  );
}
