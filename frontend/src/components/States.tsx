/** Loading, empty and error states, the same everywhere. */
import type { ReactNode } from "react";
import { Icon, type IconName } from "./Icon";

export function Spinner({ label = "Loading…", inline = false }: { label?: string; inline?: boolean }) {
  return (
    <div className={inline ? "spinner spinner--inline" : "spinner"} role="status">
      <span className="spinner__dot" aria-hidden="true" />
      <span className={inline ? "visually-hidden" : "spinner__label"}>{label}</span>
    </div>
  );
}

export function EmptyState({
  icon,
  title,
  children,
}: {
  icon: IconName;
  title: string;
  children?: ReactNode;
}) {
  return (
    <div className="empty">
      <div className="empty__icon">
        <Icon name={icon} size={28} />
      </div>
      <p className="empty__title">{title}</p>
      {children && <div className="empty__body">{children}</div>}
    </div>
  );
}

export function ErrorNotice({ message, onRetry }: { message: string; onRetry?: () => void }) {
  return (
    <div className="notice notice--error" role="alert">
      <Icon name="alert" />
      <span>{message}</span>
      {onRetry && (
        <button type="button" className="btn btn--small" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
