import { useState, type FormEvent } from "react";
import { Icon } from "../components/Icon";
import { ApiError, errorMessage } from "../lib/api-client";
import { signIn, signUp } from "../lib/auth";
import { browserTimeFormat, browserTimeZone } from "../lib/time";
import type { Me } from "../lib/types";

type Mode = "signin" | "signup";

export function AuthScreen({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [mode, setMode] = useState<Mode>(() => (window.location.pathname.startsWith("/signup") ? "signup" : "signin"));
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const timezone = browserTimeZone();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setFields({});
    try {
      const me = mode === "signup" ? await signUp(username.trim(), password, timezone, browserTimeFormat()) : await signIn(username.trim(), password);
      if (window.location.pathname.startsWith("/signup") || window.location.pathname.startsWith("/signin")) {
        window.history.replaceState(null, "", "/");
      }
      onSignedIn(me);
    } catch (err) {
      if (err instanceof ApiError) {
        setFields(Object.fromEntries(Object.entries(err.fields).map(([k, v]) => [k, v[0]])));
        const fieldNames = Object.keys(err.fields).filter((k) => k === "username" || k === "password");
        setError(fieldNames.length ? null : err.message);
      } else {
        setError(errorMessage(err));
      }
    } finally {
      setBusy(false);
    }
  }

  function switchTo(next: Mode) {
    setMode(next);
    setError(null);
    setFields({});
  }

  const signup = mode === "signup";
  return (
    <main className="auth">
      <div className="auth__card">
        <div className="auth__brand">
          <span className="brand__mark brand__mark--large" aria-hidden="true">
            <Icon name="check" size={22} />
          </span>
          <h1>Todo Reminders</h1>
          <p>Tell it what to do and when. It keeps the list and reminds you on time.</p>
        </div>
        <div className="auth__switch" role="group" aria-label="Account">
          <button type="button" aria-pressed={!signup} onClick={() => switchTo("signin")}>
            Sign in
          </button>
          <button type="button" aria-pressed={signup} onClick={() => switchTo("signup")}>
            Create account
          </button>
        </div>
        <form onSubmit={submit} noValidate>
          <div className="field">
            <label htmlFor="auth-username">Username</label>
            <input
              id="auth-username"
              name="username"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              required
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              aria-invalid={Boolean(fields.username)}
              aria-describedby={fields.username ? "auth-username-error" : undefined}
            />
            {fields.username && (
              <p id="auth-username-error" className="field-error">
                {fields.username}
              </p>
            )}
          </div>
          <div className="field">
            <label htmlFor="auth-password">Password</label>
            <input
              id="auth-password"
              name="password"
              type="password"
              autoComplete={signup ? "new-password" : "current-password"}
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-invalid={Boolean(fields.password)}
              aria-describedby={fields.password ? "auth-password-error" : undefined}
            />
            {fields.password && (
              <p id="auth-password-error" className="field-error">
                {fields.password}
              </p>
            )}
          </div>
          {signup && (
            <p className="hint">
              Times will be shown in <strong>{timezone.replaceAll("_", " ")}</strong>, your browser's time zone. You can
              change it in Settings.
            </p>
          )}
          {error && (
            <p className="notice notice--error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="btn btn--primary btn--block" disabled={busy || !username.trim() || !password}>
            {busy ? "One moment…" : signup ? "Create account" : "Sign in"}
          </button>
        </form>
      </div>
    </main>
  );
}
