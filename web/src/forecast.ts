// Shapes the history and the forecast into the column arrays uPlot draws: one x axis (seconds since the epoch) and
// one column per series, null where a series has no point.

export interface Observation {
  ts: string;
  value: number;
}

export interface ForecastPoint {
  step: number;
  ts: string;
  value: number;
  lower80: number;
  upper80: number;
  lower95: number;
  upper95: number;
}

export type Columns = [number[], ...(number | null)[][]];

/** Seconds since the epoch of a timestamp the tables store (UTC, no zone). */
export function toSeconds(ts: string): number {
  const withZone = /[zZ]|[+-]\d\d:?\d\d$/.test(ts) ? ts : `${ts}Z`;
  return Date.parse(withZone) / 1000;
}

/**
 * Columns: x, history, forecast, lower95, upper95, lower80, upper80. The forecast line starts at the last
 * observation so the two lines join; the bands cover the forecast's steps only.
 */
export function chartColumns(history: Observation[], forecast: ForecastPoint[]): Columns {
  const xs: number[] = [];
  const hist: (number | null)[] = [];
  const point: (number | null)[] = [];
  const lo95: (number | null)[] = [];
  const hi95: (number | null)[] = [];
  const lo80: (number | null)[] = [];
  const hi80: (number | null)[] = [];
  history.forEach((o, i) => {
    xs.push(toSeconds(o.ts));
    hist.push(o.value);
    const last = i === history.length - 1 && forecast.length > 0;
    point.push(last ? o.value : null);
    lo95.push(null);
    hi95.push(null);
    lo80.push(null);
    hi80.push(null);
  });
  const lastX = xs.length ? xs[xs.length - 1] : -Infinity;
  for (const f of forecast) {
    const x = toSeconds(f.ts);
    if (x <= lastX) continue;
    xs.push(x);
    hist.push(null);
    point.push(f.value);
    lo95.push(f.lower95);
    hi95.push(f.upper95);
    lo80.push(f.lower80);
    hi80.push(f.upper80);
  }
  return [xs, hist, point, lo95, hi95, lo80, hi80];
}

/** The lowest and highest value over every column but x, for the y axis. */
export function valueRange(columns: Columns): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let c = 1; c < columns.length; c++) {
    for (const v of columns[c] as (number | null)[]) {
      if (v == null) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}
