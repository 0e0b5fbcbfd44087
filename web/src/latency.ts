// Latency figures from two readings of GET /v1/metrics/models: the histograms' buckets are cumulative since the server
// started, so the observations of a window are the difference between its first and last reading, and a quantile is
// read from that difference by interpolating within the bucket where it falls (as Prometheus's histogram_quantile does).

export interface Histogram {
  bounds: number[]; // upper bounds, without +Inf
  buckets: number[]; // cumulative counts, one per bound and the last for +Inf
  count: number;
  sum: number;
}

export interface VersionHistograms {
  name: string;
  version: string;
  request_duration_seconds: Histogram;
  queue_duration_seconds: Histogram;
  compute_duration_seconds: Histogram;
  batch_size: Histogram;
}

export interface LatencyReading {
  at: number; // milliseconds
  models: VersionHistograms[];
}

export interface Latency {
  /** Answered requests per second over the window; null with a single reading. */
  requestsPerSecond: number | null;
  /** Requests answered in the window (since the server started with a single reading). */
  requests: number;
  p50Seconds: number | null;
  p99Seconds: number | null;
  meanQueueSeconds: number | null;
  p99QueueSeconds: number | null;
  meanBatchSize: number | null;
}

type Kind = 'request_duration_seconds' | 'queue_duration_seconds' | 'compute_duration_seconds' | 'batch_size';

/** The observations between two readings of one histogram; a count that went down means a restart, so `current` is the window. */
export function subtract(current: Histogram, previous: Histogram | null | undefined): Histogram {
  if (!previous || previous.count > current.count || previous.buckets.length !== current.buckets.length) return current;
  return {
    bounds: current.bounds,
    buckets: current.buckets.map((b, i) => Math.max(0, b - previous.buckets[i])),
    count: current.count - previous.count,
    sum: current.sum - previous.sum,
  };
}

/** Histograms with the same bounds added up (a model's versions); null for none. */
export function add(histograms: Histogram[]): Histogram | null {
  let total: Histogram | null = null;
  for (const h of histograms) {
    if (!total) {
      total = { bounds: h.bounds, buckets: [...h.buckets], count: h.count, sum: h.sum };
    } else if (total.buckets.length === h.buckets.length) {
      total.buckets = total.buckets.map((b, i) => b + h.buckets[i]);
      total.count += h.count;
      total.sum += h.sum;
    }
  }
  return total;
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of a cumulative histogram, interpolated linearly within its bucket (the first bucket
 * starts at 0); the highest finite bound when it falls in the +Inf bucket; null without observations.
 */
export function quantile(q: number, h: Histogram | null): number | null {
  if (!h) return null;
  const total = h.buckets[h.buckets.length - 1] ?? 0;
  if (total <= 0 || h.bounds.length === 0) return null;
  const rank = Math.min(Math.max(q, 0), 1) * total;
  let i = 0;
  while (i < h.buckets.length - 1 && h.buckets[i] < rank) i++;
  if (i >= h.bounds.length) return h.bounds[h.bounds.length - 1];
  const upper = h.bounds[i];
  const lower = i === 0 ? Math.min(0, upper) : h.bounds[i - 1];
  const before = i === 0 ? 0 : h.buckets[i - 1];
  const inBucket = h.buckets[i] - before;
  if (inBucket <= 0) return upper;
  return lower + ((upper - lower) * (rank - before)) / inBucket;
}

function windowOf(previous: LatencyReading | null, current: LatencyReading, name: string, kind: Kind): Histogram | null {
  const parts: Histogram[] = [];
  for (const v of current.models) {
    if (v.name !== name) continue;
    const before = previous?.models.find((p) => p.name === name && p.version === v.version);
    parts.push(subtract(v[kind], before?.[kind]));
  }
  return add(parts);
}

/** A model's figures between two readings (all versions together); with no previous reading, since the server started. */
export function latency(previous: LatencyReading | null, current: LatencyReading, name: string): Latency {
  const requests = windowOf(previous, current, name, 'request_duration_seconds');
  const queue = windowOf(previous, current, name, 'queue_duration_seconds');
  const batches = windowOf(previous, current, name, 'batch_size');
  const seconds = previous ? (current.at - previous.at) / 1000 : 0;
  const count = requests?.count ?? 0;
  return {
    requestsPerSecond: seconds > 0 ? count / seconds : null,
    requests: count,
    p50Seconds: quantile(0.5, requests),
    p99Seconds: quantile(0.99, requests),
    meanQueueSeconds: queue && queue.count > 0 ? queue.sum / queue.count : null,
    p99QueueSeconds: quantile(0.99, queue),
    meanBatchSize: batches && batches.count > 0 ? batches.sum / batches.count : null,
  };
}

/** Keeps the readings of the last `windowMs` and the new one, oldest first. */
export function keepWindow(readings: LatencyReading[], reading: LatencyReading, windowMs: number): LatencyReading[] {
  return [...readings.filter((r) => reading.at - r.at <= windowMs), reading];
}

/** A duration in seconds as µs, ms or s with three significant figures at most; '–' for none. */
export function formatSeconds(seconds: number | null): string {
  if (seconds == null || !Number.isFinite(seconds)) return '–';
  if (seconds < 0.001) return `${Math.round(seconds * 1e6)} µs`;
  if (seconds < 1) {
    const ms = seconds * 1e3;
    return `${ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0)} ms`;
  }
  return `${seconds.toFixed(2)} s`;
}
