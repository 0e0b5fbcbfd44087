// Job list logic: merging live events into the list, the dependency graph's layout, filters as a query string.
import type { Job } from './api';

export interface JobEventData {
  job_id: number;
  kind: 'state' | 'progress' | 'log';
  state: string;
  attempts: number;
  progress: number;
  progress_message: string | null;
  error?: string | null;
  line?: string;
}

/** The job with a live event applied (state and progress; log lines go to the log view). */
export function applyEvent(job: Job, e: JobEventData): Job {
  if (e.job_id !== job.id) return job;
  return {
    ...job,
    state: e.state,
    attempts: e.attempts,
    progress: e.progress,
    progress_message: e.progress_message ?? job.progress_message,
    error: e.kind === 'state' ? (e.error ?? null) : job.error,
  };
}

export interface Filters {
  queue: string;
  kind: string;
  state: string;
}

export function jobsQuery(f: Filters, limit = 50): string {
  const q = new URLSearchParams();
  if (f.state) q.set('state', f.state);
  if (f.queue) q.set('queue', f.queue);
  if (f.kind) q.set('kind', f.kind);
  q.set('limit', String(limit));
  return `/v1/jobs?${q.toString()}`;
}

export interface GraphNode {
  id: number;
  label: string;
  state: string;
  x: number;
  y: number;
}

/**
 * A small left-to-right layout of the jobs around `focus`: its dependencies, itself, and the jobs that depend on it,
 * each column one level. Edges go from a dependency to its dependent.
 */
export function dependencyGraph(focus: Job, all: Job[]): { nodes: GraphNode[]; edges: [number, number][] } {
  const byId = new Map(all.map((j) => [j.id, j]));
  byId.set(focus.id, focus);
  const before = focus.depends_on.map((id) => byId.get(id) ?? ({ id, kind: '?', state: 'unknown', depends_on: [] } as unknown as Job));
  const after = all.filter((j) => j.depends_on.includes(focus.id));
  const columns = [before, [focus], after].filter((c) => c.length > 0);
  const nodes: GraphNode[] = [];
  columns.forEach((column, x) =>
    column.forEach((j, y) => nodes.push({ id: j.id, label: `#${j.id} ${j.kind}`, state: j.state, x, y })),
  );
  const edges: [number, number][] = [
    ...before.map((b) => [b.id, focus.id] as [number, number]),
    ...after.map((a) => [focus.id, a.id] as [number, number]),
  ];
  return { nodes, edges };
}
