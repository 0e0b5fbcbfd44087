import { useCallback, useEffect, useState } from 'react';
import { getJson, type ApiError } from './api';

/** Loads data on mount (and every `refreshMs` when given); keeps the last good data while a refresh fails. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[], refreshMs?: number) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    const controller = new AbortController();
    load(controller.signal).then(
      (d) => {
        setData(d);
        setError(null);
      },
      (e: Error) => {
        if (e.name !== 'AbortError') setError(e.message);
      },
    );
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  useEffect(() => {
    if (!refreshMs) return;
    const timer = setInterval(reload, refreshMs);
    return () => clearInterval(timer);
  }, [refreshMs, reload]);
  return { data, error, reload };
}

/** A GET that needs the train role (jobs, training, retraining): listing one job. */
export const TRAIN_PROBE = '/v1/jobs?limit=1';

/**
 * Whether the key in use may do what `probe` (a GET that needs the same role as the action) may do: allowed unless the
 * server answers 401 or 403, then not allowed with `reason`, which the page shows beside the disabled controls.
 */
export function useAllowed(probe: string, reason: string): { allowed: boolean; reason: string } {
  const [state, setState] = useState({ allowed: true, reason: '' });
  useEffect(() => {
    let stopped = false;
    getJson(probe).then(
      () => !stopped && setState({ allowed: true, reason: '' }),
      (e: ApiError) => {
        if (!stopped) setState(e.status === 401 || e.status === 403 ? { allowed: false, reason } : { allowed: true, reason: '' });
      },
    );
    return () => {
      stopped = true;
    };
  }, [probe, reason]);
  return state;
}
