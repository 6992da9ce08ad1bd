import { useMemo, useState } from "react";
import { Icon } from "../components/Icon";
import { useToast } from "../components/Toast";
import { errorMessage } from "../lib/api-client";
import { updateMe } from "../lib/auth";
import { REMINDER_PRESETS } from "../lib/reminders";
import { useSession } from "../lib/session";
import type { TimeFormat } from "../lib/types";
import { browserTimeZone, formatOffset, formatTime, timeZones, zoneOffsetLabel } from "../lib/time";
import { PushSettings } from "../features/notifications/components/PushSettings";

export function SettingsScreen() {
  const { me, setMe, signOut } = useSession();
  const toast = useToast();
  const [saving, setSaving] = useState(false);
  const zones = useMemo(() => {
    const all = timeZones();
    return all.includes(me.timezone) ? all : [me.timezone, ...all];
  }, [me.timezone]);
  const browserZone = browserTimeZone();

  async function save(changes: Parameters<typeof updateMe>[0], message: string) {
    setSaving(true);
    try {
      setMe(await updateMe(changes));
      toast({ message });
    } catch (error) {
      toast({ message: errorMessage(error), tone: "error" });
    } finally {
      setSaving(false);
    }
  }

  function toggleOffset(minutes: number) {
    const current = me.default_reminder_offsets;
    const next = current.includes(minutes) ? current.filter((m) => m !== minutes) : [...current, minutes].sort((a, b) => a - b);
    void save({ default_reminder_offsets: next }, "Default reminders saved.");
  }

  return (
    <section className="settings" aria-labelledby="settings-title">
      <header className="page-header">
        <h1 id="settings-title" className="page-title">
          Settings
        </h1>
      </header>

      <div className="card">
        <h2 className="card__title">
          <Icon name="clock" size={18} /> Time zone
        </h2>
        <p className="card__text">
          Due times, reminders and repeats follow this zone, across daylight saving changes. Changing it keeps the
          local times of open tasks: 9:00 stays 9:00, a date stays that date.
        </p>
        <div className="field">
          <label htmlFor="settings-timezone">Time zone</label>
          <select
            id="settings-timezone"
            value={me.timezone}
            disabled={saving}
            onChange={(e) => void save({ timezone: e.target.value }, `Time zone set to ${e.target.value}.`)}
          >
            {zones.map((zone) => (
              <option key={zone} value={zone}>
                {zone.replaceAll("_", " ")}
              </option>
            ))}
          </select>
          <p className="hint">
            It is {formatTime(new Date(), me.timezone)} there now ({zoneOffsetLabel(me.timezone)}).
          </p>
        </div>
        <div className="field">
          <label htmlFor="settings-time-format">Clock</label>
          <select
            id="settings-time-format"
            value={me.time_format}
            disabled={saving}
            onChange={(e) => {
              const format = e.target.value as TimeFormat;
              void save({ time_format: format }, `Times now read ${format === "12h" ? "1:00 PM" : "13:00"}.`);
            }}
          >
            <option value="24h">24-hour (13:00)</option>
            <option value="12h">12-hour (1:00 PM)</option>
          </select>
        </div>
        {browserZone !== me.timezone && (
          <p className="notice notice--info">
            <span>
              This browser is set to <strong>{browserZone.replaceAll("_", " ")}</strong>.
            </span>
            <button
              type="button"
              className="btn btn--small"
              disabled={saving}
              onClick={() => void save({ timezone: browserZone }, `Time zone set to ${browserZone}.`)}
            >
              Use it
            </button>
          </p>
        )}
      </div>

      <div className="card">
        <h2 className="card__title">
          <Icon name="bell" size={18} /> Default reminders
        </h2>
        <p className="card__text">Added to every new task that has a due time. You can change them per task.</p>
        <div className="toggle-chips" role="group" aria-label="Default reminders">
          {REMINDER_PRESETS.map((minutes) => (
            <button
              key={minutes}
              type="button"
              className="toggle-chip"
              aria-pressed={me.default_reminder_offsets.includes(minutes)}
              disabled={saving}
              onClick={() => toggleOffset(minutes)}
            >
              {formatOffset(minutes)}
            </button>
          ))}
        </div>
      </div>

      <div className="card">
        <h2 className="card__title">
          <Icon name="bell" size={18} /> Push notifications
        </h2>
        <PushSettings />
      </div>

      <div className="card">
        <h2 className="card__title">Account</h2>
        <p className="card__text">
          Signed in as <strong>{me.username}</strong>.
        </p>
        <button type="button" className="btn" onClick={() => void signOut()}>
          <Icon name="logout" size={16} /> Sign out
        </button>
      </div>
    </section>
  );
}
