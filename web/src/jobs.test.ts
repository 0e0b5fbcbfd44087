import { describe, expect, it } from 'vitest';
import type { Job } from './api';
import { applyEvent, dependencyGraph, jobsQuery } from './jobs';
import { rates } from './stats';
import { describeError } from './api';

const job = (id: number, depends_on: number[] = [], state = 'queued'): Job => ({
  id, kind: id === 1 ? 'train_forecast' : 'forecast', queue: 'training', state, attempts: 0, max_attempts: 3,
  progress: 0, progress_message: null, error: null, result: null, payload: null, depends_on, cancel_requested: false,
  created_at: '', started_at: null, finished_at: null, updated_at: '',
});

describe('job list logic', () => {
  it('applies a live event to its job only', () => {
    const e = { job_id: 1, kind: 'progress' as const, state: 'running', attempts: 1, progress: 40, progress_message: 'tree 120' };
    expect(applyEvent(job(1), e)).toMatchObject({ state: 'running', progress: 40, progress_message: 'tree 120' });
    expect(applyEvent(job(2), e)).toEqual(job(2));
  });

  it('puts only the filters that are set in the query', () => {
    expect(jobsQuery({ queue: '', kind: 'train', state: 'running' })).toBe('/v1/jobs?state=running&kind=train&limit=50');
  });

  it('lays out the train → forecast pair left to right around the chosen job', () => {
    const train = job(1);
    const forecast = job(2, [1]);
    const g = dependencyGraph(train, [train, forecast]);
    expect(g.edges).toEqual([[1, 2]]);
    expect(g.nodes.map((n) => [n.id, n.x])).toEqual([[1, 0], [2, 1]]);
    const h = dependencyGraph(forecast, [train, forecast]);
    expect(h.edges).toEqual([[1, 2]]);
    expect(h.nodes.find((n) => n.id === 2)?.x).toBe(1);
  });
});

describe('model statistics', () => {
  const stat = (success: number, runs: number, inferences: number, ns: number) => ({
    name: 'iris', version: '1', inference_count: inferences, execution_count: runs,
    inference_stats: { success: { count: success }, fail: { count: 0 }, compute_infer: { count: runs, ns } },
  });

  it('turns two readings into a request rate, mean compute time and mean batch size', () => {
    const r = rates({ at: 0, stats: [stat(10, 10, 10, 1e7)] }, { at: 2000, stats: [stat(30, 15, 30, 2e7)] }, 'iris');
    expect(r.requestsPerSecond).toBe(10);
    expect(r.meanComputeMs).toBe(2);
    expect(r.meanBatchSize).toBe(4);
  });

  it('shows no rate from a single reading', () => {
    expect(rates(null, { at: 0, stats: [stat(3, 3, 3, 1e6)] }, 'iris').requestsPerSecond).toBe(0);
  });
});

describe('errors in words', () => {
  it('says what a 401 and a 403 mean for the key', () => {
    expect(describeError(401, 'an API key is required')).toMatch(/^Not signed in \(401\).*key box/);
    expect(describeError(403, "the 'manage' role is required")).toMatch(/^Not allowed \(403\).*manage/);
    expect(describeError(404, "model 'x' not found")).toBe("model 'x' not found (404)");
  });
});
