import { useCallback, useEffect, useState } from 'react';
import { ApiError, FINAL_STATES, getJson, postJson, type Job } from '../api';
import type { ForecastPoint, Observation } from '../forecast';
import { ForecastChart } from '../components/ForecastChart';
import { ErrorNotice, StateBadge } from '../components/Notice';
import { TRAIN_PROBE, useAllowed } from '../hooks';

interface Forecast {
  series_key: string;
  model: string;
  model_version: number;
  method: string;
  created_at: string;
  horizon: number;
  forecasts: ForecastPoint[];
}

const HISTORY_POINTS = 300;

export function ForecastsPage({ initialSeries }: { initialSeries: string | null }) {
  const train = useAllowed(TRAIN_PROBE, 'Retraining needs a key with the train role.');
  const [known, setKnown] = useState<string[]>([]);
  const [input, setInput] = useState(initialSeries ?? '');
  const [series, setSeries] = useState(initialSeries ?? '');
  const [history, setHistory] = useState<Observation[] | null>(null);
  const [forecast, setForecast] = useState<Forecast | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [retrain, setRetrain] = useState<{ train: Job | null; predict: Job | null } | null>(null);

  // The series with observations, offered as choices.
  useEffect(() => {
    getJson<{ series: { series_key: string; count: number }[] }>('/v1/series').then(
      (answer) => {
        const keys = answer.series.map((x) => x.series_key);
        setKnown(keys);
        if (!series && keys.length) {
          setSeries(keys[0]);
          setInput(keys[0]);
        }
      },
      () => setKnown([]),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const load = useCallback(async (key: string) => {
    if (!key) return;
    setError(null);
    setNote(null);
    try {
      const h = await getJson<{ observations: Observation[] }>(`/v1/series/${encodeURIComponent(key)}?last=${HISTORY_POINTS}`);
      setHistory(h.observations);
    } catch (e) {
      setHistory(null);
      setForecast(null);
      setError((e as Error).message);
      return;
    }
    try {
      setForecast(await getJson<Forecast>(`/v1/forecasts/${encodeURIComponent(key)}`));
    } catch (e) {
      setForecast(null);
      if (e instanceof ApiError && e.status === 404) setNote(`There is no forecast for ${key} yet: retrain to make one.`);
      else setError((e as Error).message);
    }
  }, []);

  useEffect(() => {
    void load(series);
  }, [series, load]);

  async function startRetrain() {
    setError(null);
    try {
      const answer = await postJson<{ train_job: number; predict_job: number }>('/api/model', { country_code: series });
      if (!answer) return;
      setRetrain({ train: null, predict: null });
      // Follow both jobs until the forecast job ends, then show the new forecast.
      for (;;) {
        const [train, predict] = await Promise.all([
          getJson<Job>(`/v1/jobs/${answer.train_job}`),
          getJson<Job>(`/v1/jobs/${answer.predict_job}`),
        ]);
        setRetrain({ train, predict });
        if (FINAL_STATES.includes(predict.state)) {
          if (predict.state === 'succeeded') await load(series);
          else setError(`The forecast job ended ${predict.state}${predict.error ? `: ${predict.error}` : ''}`);
          break;
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    } catch (e) {
      setError((e as Error).message);
    }
  }

  const running = retrain && !(retrain.predict && FINAL_STATES.includes(retrain.predict.state));
  return (
    <section>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          setSeries(input.trim());
        }}
      >
        <div className="field">
          <label htmlFor="series-key">Series</label>
          <input id="series-key" list="series-known" value={input} onChange={(e) => setInput(e.target.value)} placeholder="e.g. DE" />
          <datalist id="series-known">
            {known.map((k) => (
              <option key={k} value={k} />
            ))}
          </datalist>
        </div>
        <button type="submit">Show</button>
        <button
          type="button"
          disabled={!series || !!running || !train.allowed}
          title={train.allowed ? undefined : train.reason}
          onClick={() => void startRetrain()}
        >
          Retrain {series}
        </button>
      </form>
      {!train.allowed && <p className="note">{train.reason}</p>}
      <ErrorNotice error={error} />
      {note && <p className="note">{note}</p>}
      {retrain && (
        <p role="status" className="retrain" data-testid="retrain-status">
          Training job {retrain.train ? `#${retrain.train.id}` : ''} {retrain.train && <StateBadge state={retrain.train.state} />}
          {' · '}forecast job {retrain.predict ? `#${retrain.predict.id}` : ''} {retrain.predict && <StateBadge state={retrain.predict.state} />}
        </p>
      )}
      {forecast && (
        <dl className="facts" data-testid="forecast-facts">
          <dt>Method</dt>
          <dd>{forecast.method}</dd>
          <dt>Model</dt>
          <dd>
            {forecast.model} version <span data-testid="forecast-version">{forecast.model_version}</span>
          </dd>
          <dt>Made</dt>
          <dd>
            <time dateTime={forecast.created_at} title={forecast.created_at}>
              {new Date(forecast.created_at).toLocaleString()}
            </time>
          </dd>
          <dt>Horizon</dt>
          <dd>{forecast.horizon} steps</dd>
        </dl>
      )}
      {history && (
        <ForecastChart
          history={history}
          forecast={forecast?.forecasts ?? []}
          title={`${series}: last ${history.length} observations${forecast ? `, forecast v${forecast.model_version}` : ''}`}
        />
      )}
      {!series && <p>Choose a series. Import some with <code>modelhost data import</code>.</p>}
    </section>
  );
}
