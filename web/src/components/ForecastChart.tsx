import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { chartColumns, valueRange, type ForecastPoint, type Observation } from '../forecast';

/** History, point forecast and the 80% and 95% bands, with uPlot. */
export function ForecastChart({ history, forecast, title }: { history: Observation[]; forecast: ForecastPoint[]; title: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const columns = chartColumns(history, forecast);
    const [lo, hi] = valueRange(columns);
    const pad = (hi - lo) * 0.05 || 1;
    const width = Math.max(300, Math.min(1100, el.clientWidth || 800));
    const plot = new uPlot(
      {
        width,
        height: 360,
        title,
        scales: { x: { time: true }, y: { range: [lo - pad, hi + pad] } },
        series: [
          {},
          { label: 'History', stroke: '#1f4e8c', width: 1.5 },
          { label: 'Forecast', stroke: '#b3261e', width: 2, dash: [6, 4] },
          { label: '95% low', stroke: 'rgba(179,38,30,0.25)', width: 1 },
          { label: '95% high', stroke: 'rgba(179,38,30,0.25)', width: 1 },
          { label: '80% low', stroke: 'rgba(179,38,30,0.45)', width: 1 },
          { label: '80% high', stroke: 'rgba(179,38,30,0.45)', width: 1 },
        ],
        bands: [
          { series: [4, 3], fill: 'rgba(179,38,30,0.10)' },
          { series: [6, 5], fill: 'rgba(179,38,30,0.18)' },
        ],
        axes: [{}, { size: 70 }],
      },
      columns as uPlot.AlignedData,
      el,
    );
    return () => plot.destroy();
  }, [history, forecast, title]);
  return <div ref={host} className="chart" data-testid="forecast-chart" />;
}
