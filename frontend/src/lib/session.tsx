/** The signed-in user, shared by every screen: their name, time zone and reminder defaults. */
import { createContext, useContext } from "react";
import type { Me } from "./types";

export interface Session {
  me: Me;
  setMe: (me: Me) => void;
  signOut: () => Promise<void>;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession() outside a signed-in screen");
  return session;
}

/** The user's IANA zone: every time on screen is shown in it. */
export function useTimeZone(): string {
  return useSession().me.timezone;
}
