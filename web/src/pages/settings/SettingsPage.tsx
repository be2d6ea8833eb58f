import { useRef, useState, type KeyboardEvent } from 'react';
import { ApiKeysTab } from './ApiKeysTab';
import { ModelsTab } from './ModelsTab';
import { SecretsTab } from './SecretsTab';
import { StatusTab } from './StatusTab';
import { UsersTab } from './UsersTab';
import './settings.css';

const TABS = [
  { id: 'secrets', label: 'Secrets', Panel: SecretsTab },
  { id: 'models', label: 'Models', Panel: ModelsTab },
  { id: 'users', label: 'Users', Panel: UsersTab },
  { id: 'api-keys', label: 'API keys', Panel: ApiKeysTab },
  { id: 'status', label: 'Status', Panel: StatusTab },
] as const;
type TabId = (typeof TABS)[number]['id'];

/** Settings in tabs (WAI-ARIA tabs: arrow keys move between them); the open tab is kept in the URL hash. */
export default function SettingsPage() {
  const [current, setCurrent] = useState<TabId>(() => {
    const hash = window.location.hash.slice(1);
    return TABS.find((t) => t.id === hash)?.id ?? 'secrets';
  });
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});
  const open = (id: TabId, focus = false) => {
    setCurrent(id);
    window.history.replaceState(null, '', `#${id}`);
    if (focus) refs.current[id]?.focus();
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const index = TABS.findIndex((t) => t.id === current);
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (event.key === 'Home') open(TABS[0].id, true);
    else if (event.key === 'End') open(TABS[TABS.length - 1]!.id, true);
    else if (step) open(TABS[(index + step + TABS.length) % TABS.length]!.id, true);
    else return;
    event.preventDefault();
  };
  const tab = TABS.find((t) => t.id === current)!;
  return (
    <div className="settings-page">
      <h1>Settings</h1>
      <div role="tablist" aria-label="Settings" className="settings-tabs" onKeyDown={onKeyDown}>
        {TABS.map((t) => (
          <button
            key={t.id}
            ref={(el) => {
              refs.current[t.id] = el;
            }}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={t.id === current}
            aria-controls={`panel-${t.id}`}
            tabIndex={t.id === current ? 0 : -1}
            onClick={() => open(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <section role="tabpanel" id={`panel-${tab.id}`} aria-labelledby={`tab-${tab.id}`} className="settings-panel">
        <tab.Panel />
      </section>
    </div>
  );
}
