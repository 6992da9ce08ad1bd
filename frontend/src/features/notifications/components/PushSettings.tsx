import type { ReactNode } from "react";
import { Icon } from "../../../components/Icon";
import { push, usePushState } from "../hooks/usePush";

const FALLBACK = "Reminders still reach you in the inbox (the bell) while the app is open.";

/** Push on/off for this device, with the reason when it cannot be on. */
export function PushSettings() {
  const status = usePushState();
  let text: string;
  let control: ReactNode = null;
  switch (status.state) {
    case "checking":
      text = "Checking this browser…";
      break;
    case "unsupported":
      text = `This browser can't receive push notifications. ${FALLBACK}`;
      break;
    case "server-off":
      text = `Push notifications aren't set up on this server. ${FALLBACK}`;
      break;
    case "denied":
      text = `Notifications are blocked for this site. Allow them in your browser's site settings, then reload. ${FALLBACK}`;
      break;
    case "off":
      text = "Get reminders on this device even when the app is closed, with Done and Snooze buttons.";
      control = (
        <button type="button" className="btn btn--primary" onClick={() => void push.enable()}>
          <Icon name="bell" size={16} /> Turn on notifications
        </button>
      );
      break;
    case "on":
      text = "On for this device. Reminders arrive even when the app is closed.";
      control = (
        <button type="button" className="btn" onClick={() => void push.disable()}>
          <Icon name="bellOff" size={16} /> Turn off
        </button>
      );
      break;
    case "error":
      text = `Push notifications could not be set up: ${status.message} ${FALLBACK}`;
      control = (
        <button type="button" className="btn" onClick={() => void push.sync()}>
          Try again
        </button>
      );
      break;
  }
  return (
    <div className="push-settings" data-state={status.state}>
      <div className="push-settings__status">
        <span className={`status-dot status-dot--${status.state}`} aria-hidden="true" />
        <span>
          <strong>{status.state === "on" ? "On" : status.state === "checking" ? "…" : "Off"}</strong> · {text}
        </span>
      </div>
      {control}
    </div>
  );
}
