import { useEffect, useRef, useState } from 'react';
import { ApiError, getJson, postJson, type ModelInfo, type ModelList, type TensorInfo } from '../api';
import { useAllowed, useLoad } from '../hooks';
import { navigate } from '../router';
import { rates, type ModelStat, type Reading } from '../stats';
import { formatSeconds, keepWindow, latency, type LatencyReading, type VersionHistograms } from '../latency';
import { ErrorNotice, StateBadge } from '../components/Notice';

function tensors(list: TensorInfo[]) {
  if (list.length === 0) return <span className="muted">none ready</span>;
  return (
    <ul className="plain">
      {list.map((t) => (
        <li key={t.name}>
          <code>{t.name}</code> {t.datatype} [{t.shape.join(', ')}]
        </li>
      ))}
    </ul>
  );
}

function batching(m: ModelInfo) {
  const parts = [`max batch ${m.max_batch_size ?? '?'}`, `${m.instances} instance${m.instances === 1 ? '' : 's'}`];
  if (m.dynamic_batching) {
    parts.push(`delay ${m.dynamic_batching.max_queue_delay_us} µs`, `queue ${m.dynamic_batching.max_queue_size}`);
    if (m.dynamic_batching.preferred_batch_sizes.length) parts.push(`preferred ${m.dynamic_batching.preferred_batch_sizes.join('/')}`);
  }
  return parts.join(', ');
}

export function ModelsPage() {
  const models = useLoad((signal) => getJson<ModelList>('/v1/models', signal), [], 3000);
  // Load and unload need the manage role, as the server summary does (a GET, so the probe leaves no audit line).
  const manage = useAllowed('/v1/server', 'Loading and unloading needs a key with the manage role.');
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const readings = useRef<Reading[]>([]);
  const [stats, setStats] = useState<{ previous: Reading | null; current: Reading } | null>(null);
  const latencyReadings = useRef<LatencyReading[]>([]);
  const [histograms, setHistograms] = useState<{ previous: LatencyReading | null; current: LatencyReading } | null>(null);
  const [latencyError, setLatencyError] = useState<string | null>(null);

  useEffect(() => {
    let stopped = false;
    const poll = async () => {
      try {
        const answer = await getJson<{ model_stats: ModelStat[] }>('/v2/models/stats');
        if (stopped) return;
        const reading = { at: performance.now(), stats: answer.model_stats };
        // Rates over the last minute: compare with the oldest reading kept.
        readings.current = [...readings.current.filter((r) => reading.at - r.at <= 60_000), reading];
        setStats({ previous: readings.current.length > 1 ? readings.current[0] : null, current: reading });
      } catch {
        /* the models table shows the error */
      }
      try {
        const answer = await getJson<{ models: VersionHistograms[] }>('/v1/metrics/models');
        if (stopped) return;
        // Latency over the last minute: the difference between the oldest reading kept and this one.
        const reading = { at: performance.now(), models: answer.models };
        latencyReadings.current = keepWindow(latencyReadings.current, reading, 60_000);
        setHistograms({ previous: latencyReadings.current.length > 1 ? latencyReadings.current[0] : null, current: reading });
        setLatencyError(null);
      } catch (e) {
        if (!stopped) setLatencyError(e instanceof ApiError && e.status === 404 ? 'Latency needs metrics turned on (metrics.enabled).' : (e as Error).message);
      }
    };
    void poll();
    const timer = setInterval(poll, 3000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, []);

  async function act(model: string, action: 'load' | 'unload') {
    setBusy(`${action} ${model}`);
    setActionError(null);
    try {
      await postJson(`/v2/repository/models/${encodeURIComponent(model)}/${action}`, {});
    } catch (e) {
      setActionError(`Could not ${action} ${model}: ${(e as Error).message}`);
    } finally {
      setBusy(null);
      models.reload();
    }
  }

  return (
    <section aria-labelledby="models-heading">
      <h2 id="models-heading" className="visually-hidden">
        Every model
      </h2>
      <ErrorNotice error={models.error} />
      <ErrorNotice error={actionError} />
      {latencyError && <p className="note">Latency is not available: {latencyError}</p>}
      {!manage.allowed && <p className="note">{manage.reason}</p>}
      {busy && (
        <p className="note" role="status">
          Working: {busy}…
        </p>
      )}
      {models.data && models.data.models.length === 0 && <p>The repository has no models.</p>}
      {models.data && models.data.models.length > 0 && (
        <div className="table-wrap">
          <table className="models" data-testid="models-table">
            <caption className="visually-hidden">Models, their versions, signatures and statistics</caption>
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">State</th>
                <th scope="col">Versions</th>
                <th scope="col">Inputs</th>
                <th scope="col">Outputs</th>
                <th scope="col">Batching</th>
                <th scope="col">Last minute</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {models.data.models.map((m) => {
                const r = stats ? rates(stats.previous, stats.current, m.name) : null;
                const l = histograms ? latency(histograms.previous, histograms.current, m.name) : null;
                const labels = Object.entries(m.labels);
                return (
                  <tr key={m.name} data-model={m.name}>
                    <th scope="row">
                      {m.name}
                      {m.default && <span className="tag">default</span>}
                      {m.vision && <span className="tag">detector</span>}
                      <div className="muted small">{m.platform}</div>
                      {labels.length > 0 && (
                        <div className="small">labels: {labels.map(([l, v]) => `${l}→${v}`).join(', ')}</div>
                      )}
                    </th>
                    <td data-label="State">
                      <StateBadge state={m.state} />
                      {m.reason && <div className="small reason">{m.reason}</div>}
                    </td>
                    <td data-label="Versions">
                      <ul className="plain">
                        {m.versions.map((v) => (
                          <li key={v.version}>
                            v{v.version} <StateBadge state={v.state} />
                            {v.reason && <div className="small reason">{v.reason}</div>}
                          </li>
                        ))}
                      </ul>
                    </td>
                    <td data-label="Inputs">{tensors(m.inputs)}</td>
                    <td data-label="Outputs">{tensors(m.outputs)}</td>
                    <td className="small" data-label="Batching">{batching(m)}</td>
                    <td className="small" data-label="Last minute">
                      {l ? (
                        <dl className="figures" data-testid={`latency-${m.name}`}>
                          <dt>rate</dt>
                          <dd>{l.requestsPerSecond == null ? '–' : `${l.requestsPerSecond.toFixed(1)} req/s`}</dd>
                          <dt>p50</dt>
                          <dd data-figure="p50">{formatSeconds(l.p50Seconds)}</dd>
                          <dt>p99</dt>
                          <dd data-figure="p99">{formatSeconds(l.p99Seconds)}</dd>
                          <dt>queue</dt>
                          <dd data-figure="queue">
                            {formatSeconds(l.meanQueueSeconds)}
                            {l.p99QueueSeconds != null && <span className="muted"> (p99 {formatSeconds(l.p99QueueSeconds)})</span>}
                          </dd>
                          <dt>batch</dt>
                          <dd data-figure="batch">{l.meanBatchSize == null ? '–' : l.meanBatchSize.toFixed(1)}</dd>
                        </dl>
                      ) : (
                        !r && '–'
                      )}
                      {r && (
                        <div className="muted">
                          {r.total} requests, {r.failures} failed
                        </div>
                      )}
                      {!l && r && (
                        <div>
                          {r.requestsPerSecond.toFixed(1)} req/s, compute {r.meanComputeMs == null ? '–' : `${r.meanComputeMs.toFixed(2)} ms`}
                        </div>
                      )}
                    </td>
                    <td data-label="Actions">
                      <div className="actions">
                        {m.state === 'UNLOADED' || m.state === 'UNAVAILABLE' ? (
                          <button
                            type="button"
                            disabled={!manage.allowed || busy !== null}
                            title={manage.allowed ? undefined : manage.reason}
                            onClick={() => void act(m.name, 'load')}
                          >
                            Load <span className="visually-hidden">{m.name}</span>
                          </button>
                        ) : (
                          <button
                            type="button"
                            disabled={!manage.allowed || busy !== null}
                            title={manage.allowed ? undefined : manage.reason}
                            onClick={() => void act(m.name, 'unload')}
                          >
                            Unload <span className="visually-hidden">{m.name}</span>
                          </button>
                        )}
                        {m.state === 'READY' && (
                          <a
                            href={`/try?model=${encodeURIComponent(m.name)}`}
                            onClick={(e) => {
                              e.preventDefault();
                              navigate(`/try?model=${encodeURIComponent(m.name)}`);
                            }}
                          >
                            Try <span className="visually-hidden">{m.name}</span>
                          </a>
                        )}
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {!models.data && !models.error && <p role="status">Loading models…</p>}
    </section>
  );
}
