import { describe, expect, it } from 'vitest';
import { chartColumns, toSeconds, valueRange } from './forecast';

const history = [
  { ts: '1998-08-13T00:00:00', value: 10 },
  { ts: '1998-08-14T00:00:00', value: 12 },
];
const forecast = [
  { step: 1, ts: '1998-08-15T00:00:00', value: 13, lower80: 11, upper80: 15, lower95: 9, upper95: 17 },
  { step: 2, ts: '1998-08-16T00:00:00', value: 14, lower80: 11, upper80: 17, lower95: 8, upper95: 20 },
];

describe('forecast chart data', () => {
  it('reads the stored timestamps as UTC', () => {
    expect(toSeconds('1970-01-02T00:00:00')).toBe(86400);
    expect(toSeconds('1970-01-02T00:00:00Z')).toBe(86400);
  });

  it('puts history and forecast on one x axis, with nulls where a series has no point', () => {
    const [xs, hist, point, lo95, hi95, lo80, hi80] = chartColumns(history, forecast);
    expect(xs).toHaveLength(4);
    expect(hist).toEqual([10, 12, null, null]);
    expect(point).toEqual([null, 12, 13, 14]); // joined to the last observation
    expect(lo95).toEqual([null, null, 9, 8]);
    expect(hi95).toEqual([null, null, 17, 20]);
    expect(lo80).toEqual([null, null, 11, 11]);
    expect(hi80).toEqual([null, null, 15, 17]);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
  });

  it('drops forecast points that do not come after the history, keeping x increasing', () => {
    const [xs] = chartColumns(history, [{ ...forecast[0], ts: '1998-08-14T00:00:00' }, forecast[1]]);
    expect(xs).toHaveLength(3);
  });

  it('shows the history alone when there is no forecast yet', () => {
    const columns = chartColumns(history, []);
    expect(columns[2]).toEqual([null, null]);
  });

  it('ranges the y axis over the bands, not only the lines', () => {
    expect(valueRange(chartColumns(history, forecast))).toEqual([8, 20]);
    expect(valueRange([[], []])).toEqual([0, 1]);
  });
});
