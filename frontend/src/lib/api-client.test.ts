import { describe, expect, it, vi } from "vitest";
import { ApiError, buildUrl, createApiClient, errorMessage } from "./api-client";

function json(status: number, body: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

function fakeFetch(...responses: Array<Response | Error>) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fetch = vi.fn(async (url: string, init: RequestInit = {}) => {
    calls.push({ url, init });
    const next = responses.shift();
    if (!next) throw new Error(`unexpected request ${url}`);
    if (next instanceof Error) throw next;
    return next;
  });
  return { fetch, calls };
}

const header = (init: RequestInit, name: string) => (init.headers as Record<string, string>)[name];

describe("api client", () => {
  it("GETs JSON with the session cookie and no CSRF token", async () => {
    const { fetch, calls } = fakeFetch(json(200, { id: 1 }));
    const api = createApiClient({ fetch });
    await expect(api.get("/api/tasks/1/")).resolves.toEqual({ id: 1 });
    expect(calls[0].url).toBe("/api/tasks/1/");
    expect(calls[0].init.credentials).toBe("same-origin");
    expect(header(calls[0].init, "X-CSRFToken")).toBeUndefined();
  });

  it("encodes query parameters, leaving out empty ones", async () => {
    expect(buildUrl("/api/tasks/", { view: "today", q: "rent & bills", page: 2, tag: "", status: undefined })).toBe(
      "/api/tasks/?view=today&q=rent+%26+bills&page=2",
    );
    expect(buildUrl("/api/x/", {})).toBe("/api/x/");
  });

  it("fetches the CSRF token once and sends it on unsafe requests", async () => {
    const { fetch, calls } = fakeFetch(json(200, { csrf_token: "tok1" }), json(201, { id: 2 }), json(204, undefined));
    const api = createApiClient({ fetch });
    await expect(api.post("/api/tasks/", { title: "Pay rent" })).resolves.toEqual({ id: 2 });
    await expect(api.delete("/api/tasks/2/")).resolves.toBeUndefined();
    expect(calls.map((c) => c.url)).toEqual(["/api/auth/csrf/", "/api/tasks/", "/api/tasks/2/"]);
    expect(header(calls[1].init, "X-CSRFToken")).toBe("tok1");
    expect(header(calls[1].init, "Content-Type")).toBe("application/json");
    expect(calls[1].init.body).toBe(JSON.stringify({ title: "Pay rent" }));
    expect(header(calls[2].init, "X-CSRFToken")).toBe("tok1");
  });

  it("gets a fresh token and retries once when the CSRF check fails", async () => {
    const { fetch, calls } = fakeFetch(
      json(200, { csrf_token: "old" }),
      json(403, { error: { code: "permission_denied", message: "CSRF Failed: CSRF token incorrect.", fields: {} } }),
      json(200, { csrf_token: "new" }),
      json(200, { ok: true }),
    );
    const api = createApiClient({ fetch });
    await expect(api.post("/api/chat/", { message: "hi" })).resolves.toEqual({ ok: true });
    expect(header(calls[3].init, "X-CSRFToken")).toBe("new");
  });

  it("turns the backend's error shape into one error type", async () => {
    const body = {
      error: {
        code: "invalid",
        message: "recurrence.rule: FREQ is required",
        fields: { "recurrence.rule": ["FREQ is required"] },
      },
    };
    const { fetch } = fakeFetch(json(200, { csrf_token: "t" }), json(400, body));
    const api = createApiClient({ fetch });
    const error = await api.patch("/api/tasks/1/", { recurrence: { rule: "X" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    const apiError = error as ApiError;
    expect([apiError.status, apiError.code, apiError.message]).toEqual([400, "invalid", "recurrence.rule: FREQ is required"]);
    expect(apiError.field("recurrence.rule")).toBe("FREQ is required");
    expect(apiError.field("title")).toBeUndefined();
    expect(errorMessage(error)).toBe("recurrence.rule: FREQ is required");
  });

  it("gives a readable error for a response that is not the error shape", async () => {
    const { fetch } = fakeFetch(new Response("<h1>Bad gateway</h1>", { status: 502 }));
    const api = createApiClient({ fetch });
    const error = (await api.get("/api/me/").catch((e: unknown) => e)) as ApiError;
    expect([error.status, error.code]).toEqual([502, "http_502"]);
    expect(error.message).toMatch(/server had a problem/);
    expect(error.fields).toEqual({});
  });

  it("reports a failed connection as a network error", async () => {
    const { fetch } = fakeFetch(new TypeError("Failed to fetch"));
    const api = createApiClient({ fetch });
    const error = (await api.get("/api/me/").catch((e: unknown) => e)) as ApiError;
    expect(error.isNetwork).toBe(true);
    expect(error.message).toMatch(/reach the server/);
  });

  it("lets an aborted request stay an abort", async () => {
    const { fetch } = fakeFetch(new DOMException("The operation was aborted.", "AbortError"));
    const api = createApiClient({ fetch });
    await expect(api.get("/api/tasks/")).rejects.toMatchObject({ name: "AbortError" });
  });

  it("tells listeners when the session has ended (401)", async () => {
    const { fetch } = fakeFetch(
      json(401, { error: { code: "not_authenticated", message: "Authentication credentials were not provided.", fields: {} } }),
    );
    const api = createApiClient({ fetch });
    const listener = vi.fn();
    api.onUnauthenticated(listener);
    const error = (await api.get("/api/me/").catch((e: unknown) => e)) as ApiError;
    expect(error.isUnauthenticated).toBe(true);
    expect(listener).toHaveBeenCalledOnce();
  });

  it("fetches a new CSRF token after resetCsrf (sign-in rotates it)", async () => {
    const { fetch, calls } = fakeFetch(
      json(200, { csrf_token: "a" }),
      json(200, {}),
      json(200, { csrf_token: "b" }),
      json(200, {}),
    );
    const api = createApiClient({ fetch });
    await api.post("/api/auth/login/", { username: "u", password: "p" });
    api.resetCsrf();
    await api.post("/api/chat/", { message: "hi" });
    expect(header(calls[3].init, "X-CSRFToken")).toBe("b");
  });
});
