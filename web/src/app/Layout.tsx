import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { NavLink } from 'react-router';
import { api, ok } from '../api/client';
import { PAGES } from './routes';
import { useAbout, useMe, useProject } from './session';

/** The frame of every page: navigation, the project picker, the read-only banner, the account. */
export function Layout({ children }: { children: ReactNode }) {
  const about = useAbout().data;
  const me = useMe().data;
  const { project, projects, setProjectId, loaded } = useProject();
  const [menuOpen, setMenuOpen] = useState(false);
  const queryClient = useQueryClient();
  const signOut = useMutation({
    mutationFn: () => ok(api.POST('/api/auth/logout')),
    onSettled: () => queryClient.resetQueries(),
  });
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      {about?.readonly && (
        <div className="readonly-banner" role="status">
          Read-only: this server was started with --readonly, so nothing can be changed here.
        </div>
      )}
      <header className="topbar">
        <button
          type="button"
          className="menu-button"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          Menu
        </button>
        <span className="brand">oxy</span>
        <label className="project-picker">
          <span>Project</span>
          <select
            value={project?.id ?? ''}
            onChange={(e) => setProjectId(e.target.value)}
            disabled={projects.length === 0}
          >
            {projects.length === 0 && <option value="">no project yet</option>}
            {projects.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <span className="account">
          {me?.email}
          {about?.auth === 'password' && (
            <button type="button" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
              Sign out
            </button>
          )}
        </span>
      </header>
      <nav id="main-nav" className={menuOpen ? 'sidebar open' : 'sidebar'} aria-label="Main">
        <ul>
          {PAGES.filter((p) => p.nav).map((p) => (
            <li key={p.path}>
              <NavLink to={p.path} end={p.path === '/'} onClick={() => setMenuOpen(false)}>
                {p.nav}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {loaded && projects.length === 0 && (
          <div className="first-visit" role="note">
            <h2>No project yet</h2>
            <p>
              Make the demo project (sample sales data with queries, charts, a workflow and an agent): run{' '}
              <code>oxy init --demo</code> in a terminal, then reload this page. Or import an Oxy project folder with{' '}
              <code>oxy import</code>.
            </p>
          </div>
        )}
        {children}
      </main>
    </div>
  );
}
