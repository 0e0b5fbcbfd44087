// Per-model rates from two readings of GET /v2/models/stats: the counters are cumulative, so a rate is the change
// between two polls divided by the time between them.

export interface ModelStat {
  name: string;
  version: string;
  inference_count: number;
  execution_count: number;
  inference_stats: { success: { count: number }; fail: { count: number }; compute_infer: { count: number; ns: number } };
}

export interface Reading {
  at: number; // milliseconds
  stats: ModelStat[];
}

export interface Rates {
  requestsPerSecond: number;
  meanComputeMs: number | null;
  meanBatchSize: number | null;
  failures: number;
  total: number;
}

function sum(stats: ModelStat[], name: string) {
  let requests = 0, runs = 0, ns = 0, failures = 0, inferences = 0;
  for (const s of stats) {
    if (s.name !== name) continue;
    requests += s.inference_stats.success.count + s.inference_stats.fail.count;
    runs += s.execution_count;
    ns += s.inference_stats.compute_infer.ns;
    failures += s.inference_stats.fail.count;
    inferences += s.inference_count;
  }
  return { requests, runs, ns, failures, inferences };
}

/** The model's rates between two readings; the means cover the runs in between (null when none ran). */
export function rates(previous: Reading | null, current: Reading, name: string): Rates {
  const now = sum(current.stats, name);
  const before = previous ? sum(previous.stats, name) : { requests: 0, runs: 0, ns: 0, failures: 0, inferences: 0 };
  const seconds = previous ? (current.at - previous.at) / 1000 : 0;
  const runs = now.runs - before.runs;
  return {
    requestsPerSecond: seconds > 0 ? Math.max(0, now.requests - before.requests) / seconds : 0,
    meanComputeMs: runs > 0 ? (now.ns - before.ns) / runs / 1e6 : null,
    meanBatchSize: runs > 0 ? (now.inferences - before.inferences) / runs : now.runs > 0 ? now.inferences / now.runs : null,
    failures: now.failures,
    total: now.requests,
  };
}
