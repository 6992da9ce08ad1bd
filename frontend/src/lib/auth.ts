import { api } from "./api-client";
import type { Me, TimeFormat } from "./types";

export function getMe(): Promise<Me> {
  return api.get<Me>("/api/me/");
}

export function updateMe(changes: Partial<Pick<Me, "timezone" | "time_format" | "default_reminder_offsets">>) {
  return api.patch<Me>("/api/me/", changes);
}

export async function signIn(username: string, password: string): Promise<Me> {
  const me = await api.post<Me>("/api/auth/login/", { username, password });
  api.resetCsrf();
  return me;
}

export async function signUp(username: string, password: string, timezone: string, time_format: TimeFormat): Promise<Me> {
  const me = await api.post<Me>("/api/auth/signup/", { username, password, timezone, time_format });
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
