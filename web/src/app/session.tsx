import { useQuery } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { api, ok, type components } from '../api/client';

export type Me = components['schemas']['UsersRow'];
export type Project = components['schemas']['ProjectsRow'];

/** The server's mode (GET /api/about): how to sign in, and whether it refuses writes. */
export function useAbout() {
  return useQuery({ queryKey: ['about'], queryFn: () => ok(api.GET('/api/about')), staleTime: Infinity });
}

/** Who is signed in; `null` when nobody is (401). */
export function useMe() {
  return useQuery({
    queryKey: ['me'],
    queryFn: async () => {
      const answer = await api.GET('/api/auth/me');
      if (answer.response.status === 401) return null;
      return ok(Promise.resolve(answer));
    },
    staleTime: 60_000,
  });
}

/** Every project the signed-in user can see (first page of 200: enough for a picker). */
export function useProjects() {
  return useQuery({
    queryKey: ['projects'],
    queryFn: () => ok(api.GET('/api/projects', { params: { query: { limit: 200 } } })),
  });
}

interface ProjectContextValue {
  project: Project | undefined;
  projects: Project[];
  /** The project list has arrived (an empty list then means: no project yet). */
  loaded: boolean;
  setProjectId(id: string): void;
}

const ProjectContext = createContext<ProjectContextValue>({
  project: undefined,
  projects: [],
  loaded: false,
  setProjectId() {},
});
const STORAGE_KEY = 'oxy.project';

/** The project the pages work in: the one picked last (kept in localStorage), else the first. */
export function ProjectProvider({ children }: { children: ReactNode }) {
  const list = useProjects();
  const projects = list.data?.items ?? [];
  const [projectId, setProjectId] = useState<string | null>(() => localStorage.getItem(STORAGE_KEY));
  useEffect(() => {
    if (projectId) localStorage.setItem(STORAGE_KEY, projectId);
  }, [projectId]);
  const project = projects.find((p) => p.id === projectId) ?? projects[0];
  return (
    <ProjectContext.Provider value={{ project, projects, loaded: list.isSuccess, setProjectId }}>
      {children}
    </ProjectContext.Provider>
  );
}

/** The current project (undefined while loading or when there is none). */
export function useProject(): ProjectContextValue {
  return useContext(ProjectContext);
}

/** True when the server was started with --readonly: pages disable their write controls. */
export function useReadonly(): boolean {
  return useAbout().data?.readonly ?? false;
}
