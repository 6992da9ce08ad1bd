import { api } from "../../../lib/api-client";
import type { Page, Task } from "../../../lib/types";

export interface ChatAction {
  type: string;
  task_id?: number;
  next_task_id?: number;
  [key: string]: unknown;
}

export interface ChatReply {
  conversation_id: number;
  reply: string;
  actions: ChatAction[];
  /** The tasks the reply is about, as they are now. */
  tasks: Task[];
}

export interface ChatMessage {
  id: number;
  role: "user" | "assistant";
  text: string;
  actions: ChatAction[];
  created_at: string;
}

export interface Conversation {
  id: number;
  title: string;
  created_at: string;
  updated_at: string;
}

export interface ConversationDetail extends Conversation {
  messages: ChatMessage[];
}

export const sendMessage = (message: string, conversationId: number | null) =>
  api.post<ChatReply>("/api/chat/", { message, conversation_id: conversationId });

/** The most recent conversation with its messages, or null for a new user. */
export async function latestConversation(signal?: AbortSignal): Promise<ConversationDetail | null> {
  const page = await api.get<Page<Conversation>>("/api/chat/conversations/", { query: { page_size: 1 }, signal });
  const latest = page.results[0];
  if (!latest) return null;
  return api.get<ConversationDetail>(`/api/chat/conversations/${latest.id}/`, { signal });
}

/** The tasks a conversation's actions refer to, as they are now (deleted ones left out). */
/** The tasks with these ids that still exist, in one request (a deleted one is left out). */
export async function tasksByIds(ids: number[], signal?: AbortSignal): Promise<Map<number, Task>> {
  const found = new Map<number, Task>();
  const unique = [...new Set(ids)];
  for (let start = 0; start < unique.length; start += 100) {
    const chunk = unique.slice(start, start + 100);
    const page = await api.get<Page<Task>>("/api/tasks/", {
      query: { ids: chunk.join(","), page_size: chunk.length },
      signal,
    });
    for (const task of page.results) found.set(task.id, task);
  }
  return found;
}

export const setTaskDone = (task: Task, done: boolean) =>
  api.post<Task>(`/api/tasks/${task.id}/${done ? "complete" : "reopen"}/`);
