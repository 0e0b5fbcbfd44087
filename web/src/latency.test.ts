import { describe, expect, it } from 'vitest';
import { add, formatSeconds, keepWindow, latency, quantile, subtract, type Histogram, type LatencyReading, type VersionHistograms } from './latency';

const bounds = [0.001, 0.002, 0.005, 0.01];

function hist(buckets: number[], sum = 0, b = bounds): Histogram {
  return { bounds: b, buckets, count: buckets[buckets.length - 1], sum };
}

function version(name: string, v: string, requests: Histogram, queue: Histogram, batch: Histogram): VersionHistograms {
  return { name, version: v, request_duration_seconds: requests, queue_duration_seconds: queue, compute_duration_seconds: requests, batch_size: batch };
}

const empty = hist([0, 0, 0, 0, 0]);
const batchBounds = [1, 2, 4];

describe('histogram quantiles', () => {
  it('interpolates within the bucket where the rank falls, the first bucket starting at 0', () => {
    // 10 observations: 4 ≤ 1 ms, 4 in (1, 2] ms, 2 in (2, 5] ms.
    const h = hist([4, 8, 10, 10, 10]);
    expect(quantile(0.5, h)).toBeCloseTo(0.00125); // rank 5: 1 of 4 into (1, 2] ms
    expect(quantile(0.2, h)).toBeCloseTo(0.0005); // rank 2: half of the first bucket
    expect(quantile(0.99, h)).toBeCloseTo(0.002 + 0.003 * (9.9 - 8) / 2);
    expect(quantile(1, h)).toBeCloseTo(0.005);
  });

  it('answers the highest finite bound when the quantile is in the +Inf bucket', () => {
    expect(quantile(0.99, hist([0, 0, 0, 1, 10]))).toBe(0.01);
  });

  it('has no quantile without observations', () => {
    expect(quantile(0.5, empty)).toBeNull();
    expect(quantile(0.5, null)).toBeNull();
  });

  it('skips empty buckets to the one that holds the rank', () => {
    expect(quantile(0.5, hist([0, 0, 2, 2, 2]))).toBeCloseTo(0.002 + 0.003 * 0.5);
  });
});

describe('windows from cumulative readings', () => {
  it('subtracts the earlier reading bucket by bucket', () => {
    expect(subtract(hist([5, 9, 12, 12, 12], 0.03), hist([4, 8, 10, 10, 10], 0.02))).toEqual({
      bounds, buckets: [1, 1, 2, 2, 2], count: 2, sum: expect.closeTo(0.01),
    });
  });

  it('takes the current reading whole after a restart (the count went down) or with nothing before', () => {
    const now = hist([1, 1, 1, 1, 1], 0.0005);
    expect(subtract(now, hist([4, 8, 10, 10, 10]))).toBe(now);
    expect(subtract(now, undefined)).toBe(now);
  });

  it('adds up versions with the same bounds', () => {
    expect(add([hist([1, 2, 2, 2, 2], 0.002), hist([0, 1, 3, 3, 3], 0.008)])).toEqual({ bounds, buckets: [1, 3, 5, 5, 5], count: 5, sum: 0.01 });
    expect(add([])).toBeNull();
  });

  it('computes rate, p50, p99, queue time and mean batch size of one model over the window', () => {
    const before: LatencyReading = {
      at: 0,
      models: [
        version('iris', '1', hist([4, 8, 10, 10, 10], 0.015), hist([10, 10, 10, 10, 10], 0.001), hist([6, 8, 8, 8], 10, batchBounds)),
        version('other', '1', hist([1, 1, 1, 1, 1]), empty, empty),
      ],
    };
    const after: LatencyReading = {
      at: 10_000,
      models: [
        // 20 more requests: 10 ≤ 1 ms, 10 in (1, 2] ms; queue 20 × 0.2 ms; 10 more runs of 2 rows.
        version('iris', '1', hist([14, 28, 30, 30, 30], 0.045), hist([30, 30, 30, 30, 30], 0.005), hist([6, 18, 18, 18], 30, batchBounds)),
        version('other', '1', hist([50, 50, 50, 50, 50]), empty, empty),
      ],
    };
    const l = latency(before, after, 'iris');
    expect(l.requests).toBe(20);
    expect(l.requestsPerSecond).toBeCloseTo(2);
    expect(l.p50Seconds).toBeCloseTo(0.001); // rank 10 of 20: the top of the first bucket
    expect(l.p99Seconds).toBeCloseTo(0.001 + 0.001 * (19.8 - 10) / 10);
    expect(l.meanQueueSeconds).toBeCloseTo(0.0002);
    expect(l.p99QueueSeconds).toBeCloseTo(0.001 * 0.99);
    expect(l.meanBatchSize).toBeCloseTo(2);
  });

  it('adds a version that appeared in the window whole, and has no rate with one reading', () => {
    const v1 = version('iris', '1', hist([2, 2, 2, 2, 2], 0.001), empty, hist([2, 2, 2, 2], 2, batchBounds));
    const v2 = version('iris', '2', hist([0, 0, 4, 4, 4], 0.012), empty, hist([0, 0, 1, 1], 4, batchBounds));
    const l = latency({ at: 0, models: [v1] }, { at: 2000, models: [v1, v2] }, 'iris');
    expect(l.requests).toBe(4);
    expect(l.p50Seconds).toBeCloseTo(0.0035);
    expect(l.meanBatchSize).toBe(4);
    const first = latency(null, { at: 0, models: [v1] }, 'iris');
    expect(first.requestsPerSecond).toBeNull();
    expect(first.requests).toBe(2);
    expect(latency(null, { at: 0, models: [] }, 'iris')).toMatchObject({ requests: 0, p99Seconds: null, meanBatchSize: null });
  });

  it('keeps the readings of the window and the new one', () => {
    const r = (at: number): LatencyReading => ({ at, models: [] });
    expect(keepWindow([r(0), r(30_000), r(50_000)], r(70_000), 60_000).map((x) => x.at)).toEqual([30_000, 50_000, 70_000]);
  });
});

describe('durations in words', () => {
  it('picks µs, ms or s with a few significant figures', () => {
    expect(formatSeconds(0.000412)).toBe('412 µs');
    expect(formatSeconds(0.00125)).toBe('1.25 ms');
    expect(formatSeconds(0.0456)).toBe('45.6 ms');
    expect(formatSeconds(0.25)).toBe('250 ms');
    expect(formatSeconds(2.5)).toBe('2.50 s');
    expect(formatSeconds(null)).toBe('–');
  });
});
