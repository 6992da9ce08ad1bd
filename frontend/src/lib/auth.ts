import { api } from "./api-client";
import type { Me } from "./types";

export function getMe(): Promise<Me> {
  return api.get<Me>("/api/me/");
}

export function updateMe(changes: Partial<Pick<Me, "timezone" | "default_reminder_offsets">>) {
  return api.patch<Me>("/api/me/", changes);
}

export async function signIn(username: string, password: string): Promise<Me> {
  const me = await api.post<Me>("/api/auth/login/", { username, password });
  api.resetCsrf();
  return me;
}

export async function signUp(username: string, password: string, timezone: string): Promise<Me> {
  const me = await api.post<Me>("/api/auth/signup/", { username, password, timezone });
  api.resetCsrf();
  return me;
}

export async function signOutRequest(): Promise<void> {
  try {
    await api.post<void>("/api/auth/logout/");
  } finally {
    api.resetCsrf();
  }
}
