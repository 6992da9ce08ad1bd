import { useCallback, useEffect, useMemo, useState } from "react";
import { Spinner } from "../components/States";
import { ToastProvider } from "../components/Toast";
import { api, ApiError, errorMessage } from "../lib/api-client";
import { getMe, signOutRequest } from "../lib/auth";
import { SessionContext, type Session } from "../lib/session";
import { setTimeFormat } from "../lib/time";
import type { Me } from "../lib/types";
import { push } from "../features/notifications/hooks/usePush";
import { resetUnread } from "../features/notifications/hooks/useUnread";
import { AppShell } from "./AppShell";
import { AuthScreen } from "./AuthScreen";

type Boot = { state: "loading" } | { state: "anonymous" } | { state: "error"; message: string } | { state: "signed-in"; me: Me };

export function App() {
  const [boot, setBoot] = useState<Boot>({ state: "loading" });

  const start = useCallback(async () => {
    setBoot({ state: "loading" });
    try {
      setBoot({ state: "signed-in", me: await getMe() });
    } catch (error) {
      if (error instanceof ApiError && (error.isUnauthenticated || error.status === 403)) setBoot({ state: "anonymous" });
      else setBoot({ state: "error", message: errorMessage(error) });
    }
  }, []);

  useEffect(() => {
    void start();
  }, [start]);

  // The session ended elsewhere (expired, signed out in another tab): back to sign-in.
  useEffect(() => api.onUnauthenticated(() => setBoot({ state: "anonymous" })), []);

  const signOut = useCallback(async () => {
    await push.forget();
    try {
      await signOutRequest();
    } finally {
      resetUnread();
      setBoot({ state: "anonymous" });
    }
  }, []);

  // Every time on screen follows the person's clock setting; set before the screens render.
  setTimeFormat(boot.state === "signed-in" ? boot.me.time_format : undefined);

  const session = useMemo<Session | null>(
    () =>
      boot.state === "signed-in"
        ? { me: boot.me, setMe: (me) => setBoot({ state: "signed-in", me }), signOut }
        : null,
    [boot, signOut],
  );

  return (
    <ToastProvider>
      {boot.state === "loading" && (
        <div className="splash">
          <Spinner label="Opening Todo Reminders…" />
        </div>
      )}
      {boot.state === "error" && (
        <div className="splash">
          <div className="notice notice--error" role="alert">
            <span>{boot.message}</span>
            <button type="button" className="btn btn--small" onClick={() => void start()}>
              Try again
            </button>
          </div>
        </div>
      )}
      {boot.state === "anonymous" && <AuthScreen onSignedIn={(me) => setBoot({ state: "signed-in", me })} />}
      {session && (
        <SessionContext.Provider value={session}>
          <AppShell />
        </SessionContext.Provider>
      )}
    </ToastProvider>
  );
}
