import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

export interface Page {
  path: string;
  /** The navigation label; pages without one are reached from others (a thread, a run). */
  nav?: string;
  component: LazyExoticComponent<ComponentType>;
}

/** Every page, each its own chunk loaded when first visited (the editor and charts stay out of the first load). */
export const PAGES: Page[] = [
  { path: '/', nav: 'Ask', component: lazy(() => import('../pages/ask/AskPage')) },
  { path: '/threads', nav: 'Threads', component: lazy(() => import('../pages/threads/ThreadsPage')) },
  { path: '/threads/:id', component: lazy(() => import('../pages/ask/AskPage')) },
  { path: '/data', nav: 'Data', component: lazy(() => import('../pages/data/DataPage')) },
  { path: '/sql', nav: 'SQL', component: lazy(() => import('../pages/sql/SqlPage')) },
  { path: '/library', nav: 'Queries & charts', component: lazy(() => import('../pages/library/LibraryPage')) },
  { path: '/workflows', nav: 'Workflows', component: lazy(() => import('../pages/workflows/WorkflowsPage')) },
  { path: '/workflows/:id', component: lazy(() => import('../pages/workflows/WorkflowPage')) },
  { path: '/runs/:id', component: lazy(() => import('../pages/workflows/RunPage')) },
  { path: '/settings', nav: 'Settings', component: lazy(() => import('../pages/settings/SettingsPage')) },
];
