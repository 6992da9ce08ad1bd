/**
 * Short messages at the bottom of the screen, announced to screen readers. None expires while
 * the pointer is on one or focus is inside them: the time runs again when it leaves.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type FocusEvent, type ReactNode } from "react";

import { Countdowns } from "../lib/countdowns";

export interface ToastInput {
  message: string;
  action?: { label: string; onClick: () => void };
  tone?: "info" | "error";
  /** Milliseconds; 0 keeps it until closed. */
  duration?: number;
}

interface ToastItem extends ToastInput {
  id: number;
}

const ToastContext = createContext<(toast: ToastInput) => void>(() => {});

export function useToast() {
  return useContext(ToastContext);
}

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<ToastItem[]>([]);
  const nextId = useRef(1);
  const timers = useRef(new Countdowns());
  const pointing = useRef(false);
  const focused = useRef(false);
  const stack = useRef<HTMLDivElement>(null);

  const dismiss = useCallback((id: number) => {
    timers.current.cancel(id);
    setToasts((all) => all.filter((t) => t.id !== id));
    // A toast removed under the pointer fires no pointerleave: the time must not stay stopped.
    pointing.current = false;
    if (!focused.current) timers.current.resume();
  }, []);

  const show = useCallback(
    (toast: ToastInput) => {
      const id = nextId.current++;
      setToasts((all) => {
        const kept = all.slice(-2);
        for (const dropped of all.slice(0, -2)) timers.current.cancel(dropped.id);
        return [...kept, { ...toast, id }];
      });
      const duration = toast.duration ?? (toast.action ? 7000 : 4000);
      if (duration > 0) timers.current.start(id, duration, () => dismiss(id));
    },
    [dismiss],
  );

  const hold = useCallback((on: { pointer?: boolean; focus?: boolean }) => {
    if (on.pointer !== undefined) pointing.current = on.pointer;
    if (on.focus !== undefined) focused.current = on.focus;
    if (pointing.current || focused.current) timers.current.pause();
    else timers.current.resume();
  }, []);

  // Focus inside a toast that went away (its Undo clicked) leaves without a blur event.
  useEffect(() => {
    if (focused.current && !stack.current?.contains(document.activeElement)) hold({ focus: false });
  }, [toasts, hold]);

  const value = useMemo(() => show, [show]);

  return (
    <ToastContext.Provider value={value}>
      {children}
      <div
        ref={stack}
        className="toasts"
        aria-live="polite"
        aria-atomic="false"
        onFocus={() => hold({ focus: true })}
        onBlur={(event: FocusEvent<HTMLDivElement>) => {
          if (!event.currentTarget.contains(event.relatedTarget)) hold({ focus: false });
        }}
      >
        {toasts.map((toast) => (
          <div
            key={toast.id}
            className={`toast toast--${toast.tone ?? "info"}`}
            role={toast.tone === "error" ? "alert" : "status"}
            onPointerEnter={() => hold({ pointer: true })}
            onPointerLeave={() => hold({ pointer: false })}
          >
            <span className="toast__message">{toast.message}</span>
            {toast.action && (
              <button
                type="button"
                className="toast__action"
                onClick={() => {
                  toast.action?.onClick();
                  dismiss(toast.id);
                }}
              >
                {toast.action.label}
              </button>
            )}
            <button type="button" className="toast__close" aria-label="Dismiss" onClick={() => dismiss(toast.id)}>
              ×
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}
