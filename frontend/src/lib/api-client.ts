/**
 * The one way the app talks to the backend: JSON over fetch with the session cookie, the CSRF
 * token on unsafe requests, and every failure turned into one error type carrying the
 * backend's `{"error": {"code", "message", "fields"}}`.
 */

export type FieldErrors = Record<string, string[]>;

export interface ApiErrorBody {
  code: string;
  message: string;
  fields: FieldErrors;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: FieldErrors;

  constructor(status: number, body: ApiErrorBody) {
    super(body.message);
    this.name = "ApiError";
    this.status = status;
    this.code = body.code;
    this.fields = body.fields;
  }

  /** The first message for a field (dotted names, as the backend sends them). */
  field(name: string): string | undefined {
    return this.fields[name]?.[0];
  }

  get isUnauthenticated(): boolean {
    return this.status === 401 || this.code === "not_authenticated";
  }

  get isNetwork(): boolean {
    return this.code === "network";
  }
}

export type QueryValue = string | number | boolean | null | undefined;
export type Query = Record<string, QueryValue>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  fetch?: FetchLike;
  /** Prefix for every path; "" means the page's own origin. */
  baseUrl?: string;
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function buildUrl(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === "") continue;
    params.append(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}${path.includes("?") ? "&" : "?"}${qs}` : path;
}

function statusMessage(status: number): string {
  if (status === 404) return "Not found.";
  if (status === 429) return "Too many requests. Try again in a moment.";
  if (status >= 500) return `The server had a problem (${status}). Try again in a moment.`;
  return `The request failed (${status}).`;
}

async function errorFrom(response: Response): Promise<ApiError> {
  let payload: unknown = null;
  try {
    payload = await response.json();
  } catch {
    payload = null;
  }
  const error = (payload as { error?: Partial<ApiErrorBody> } | null)?.error;
  if (error && typeof error.message === "string") {
    return new ApiError(response.status, {
      code: typeof error.code === "string" ? error.code : `http_${response.status}`,
      message: error.message,
      fields: error.fields && typeof error.fields === "object" ? error.fields : {},
    });
  }
  return new ApiError(response.status, {
    code: `http_${response.status}`,
    message: statusMessage(response.status),
    fields: {},
  });
}

function isCsrfFailure(error: ApiError): boolean {
  return error.status === 403 && /csrf/i.test(error.message);
}

export function createApiClient(options: ApiClientOptions = {}) {
  const doFetch: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const baseUrl = options.baseUrl ?? "";
  let csrfToken: Promise<string> | null = null;
  const unauthenticatedListeners = new Set<() => void>();

  async function send(url: string, init: RequestInit): Promise<Response> {
    try {
      return await doFetch(url, init);
    } catch (error) {
      if (error instanceof DOMException && error.name === "AbortError") throw error;
      throw new ApiError(0, {
        code: "network",
        message: "Can't reach the server. Check your connection and try again.",
        fields: {},
      });
    }
  }

  function csrf(): Promise<string> {
    if (!csrfToken) {
      csrfToken = (async () => {
        const response = await send(`${baseUrl}/api/auth/csrf/`, {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        });
        if (!response.ok) throw await errorFrom(response);
        const body = (await response.json()) as { csrf_token: string };
        return body.csrf_token;
      })();
      csrfToken.catch(() => {
        csrfToken = null;
      });
    }
    return csrfToken;
  }

  async function request<T>(
    method: string,
    path: string,
    { query, body, signal }: RequestOptions = {},
    retried = false,
  ): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (UNSAFE.has(method)) headers["X-CSRFToken"] = await csrf();
    const response = await send(buildUrl(`${baseUrl}${path}`, query), {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    if (!response.ok) {
      const error = await errorFrom(response);
      // The token rotates when the session changes (sign-in, sign-out): fetch it again once.
      if (!retried && isCsrfFailure(error)) {
        csrfToken = null;
        return request<T>(method, path, { query, body, signal }, true);
      }
      if (error.isUnauthenticated) unauthenticatedListeners.forEach((listener) => listener());
      throw error;
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  return {
    request,
    get: <T>(path: string, options?: Omit<RequestOptions, "body">) =>
      request<T>("GET", path, options),
    post: <T>(path: string, body?: unknown, options?: RequestOptions) =>
      request<T>("POST", path, { ...options, body }),
    patch: <T>(path: string, body: unknown, options?: RequestOptions) =>
      request<T>("PATCH", path, { ...options, body }),
    delete: <T = void>(path: string, body?: unknown, options?: RequestOptions) =>
      request<T>("DELETE", path, { ...options, body }),
    /** Forget the CSRF token: call after signing in or out (Django rotates it). */
    resetCsrf() {
      csrfToken = null;
    },
    /** Called whenever a request comes back 401 (the session ended). */
    onUnauthenticated(listener: () => void): () => void {
      unauthenticatedListeners.add(listener);
      return () => unauthenticatedListeners.delete(listener);
    },
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

export const api = createApiClient();

/** A message fit to show a person for any error thrown by an API call. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error && error.message) return error.message;
  return "Something went wrong.";
}
