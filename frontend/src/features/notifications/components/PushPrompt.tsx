import { useState } from "react";
import { Icon } from "../../../components/Icon";
import { push, usePushState } from "../hooks/usePush";

const DISMISSED = "todo.push-prompt-dismissed";

/** A one-time invitation to turn push on; the permission prompt only follows the click. */
export function PushPrompt() {
  const status = usePushState();
  const [dismissed, setDismissed] = useState(() => localStorage.getItem(DISMISSED) === "1");
  if (dismissed || status.state !== "off") return null;
  const dismiss = () => {
    localStorage.setItem(DISMISSED, "1");
    setDismissed(true);
  };
  return (
    <aside className="prompt" aria-label="Notifications">
      <Icon name="bell" size={18} />
      <p>Get reminders on time, even with this tab closed.</p>
      <button type="button" className="btn btn--primary btn--small" onClick={() => void push.enable()}>
        Turn on
      </button>
      <button type="button" className="icon-button icon-button--small" aria-label="Not now" title="Not now" onClick={dismiss}>
        <Icon name="x" size={16} />
      </button>
    </aside>
  );
}
