import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Route, Routes } from 'react-router';
import { ApiError } from './api/client';
import { Layout } from './app/Layout';
import { PAGES } from './app/routes';
import { ProjectProvider, useMe } from './app/session';
import { SignInPage } from './app/SignInPage';
import { ErrorNote } from './components/ErrorNote';
import './styles.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A refusal (4xx) will not change by asking again; a network blip might.
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
      refetchOnWindowFocus: false,
    },
  },
});

function App() {
  const me = useMe();
  if (me.isPending) return <p className="loading">Loading…</p>;
  if (me.error) return <ErrorNote error={me.error} />;
  if (me.data === null) return <SignInPage />;
  return (
    <ProjectProvider>
      <Layout>
        <Suspense fallback={<p className="loading">Loading…</p>}>
          <Routes>
            {PAGES.map(({ path, component: Page }) => (
              <Route key={path} path={path} element={<Page />} />
            ))}
            <Route path="*" element={<p>No such page.</p>} />
          </Routes>
        </Suspense>
      </Layout>
    </ProjectProvider>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <App />
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
