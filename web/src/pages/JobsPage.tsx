import { useEffect, useMemo, useRef, useState } from 'react';
import { FINAL_STATES, getJson, postJson, request, type Job, type ModelList } from '../api';
import { applyEvent, dependencyGraph, jobsQuery, type Filters, type JobEventData } from '../jobs';
import { streamEvents } from '../sse';
import { ErrorNotice, StateBadge } from '../components/Notice';
import { TRAIN_PROBE, useAllowed } from '../hooks';

const STATES = ['queued', 'waiting', 'running', 'succeeded', 'failed', 'dead', 'cancelled'];
const KINDS = ['train', 'predict', 'train_forecast', 'forecast'];
const QUEUES = ['training', 'prediction', 'training-cli'];
const MAX_STREAMS = 8;

export function JobsPage() {
  const [filters, setFilters] = useState<Filters>({ queue: '', kind: '', state: '' });
  const [jobs, setJobs] = useState<Job[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [tick, setTick] = useState(0);
  const streams = useRef(new Map<number, AbortController>());

  // The list: loaded on a filter change and every 3 s (to find new jobs); live changes come from the streams below.
  useEffect(() => {
    const controller = new AbortController();
    getJson<{ jobs: Job[] }>(jobsQuery(filters), controller.signal).then(
      (answer) => {
        setJobs(answer.jobs);
        setError(null);
      },
      (e: Error) => e.name !== 'AbortError' && setError(e.message),
    );
    return () => controller.abort();
  }, [filters, tick]);
  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), 3000);
    return () => clearInterval(timer);
  }, []);

  // One event stream per unfinished job in view: state and progress move as the server reports them.
  useEffect(() => {
    const open = streams.current;
    const live = (jobs ?? []).filter((j) => !FINAL_STATES.includes(j.state)).slice(0, MAX_STREAMS);
    for (const [id, controller] of open) {
      if (!live.some((j) => j.id === id)) {
        controller.abort();
        open.delete(id);
      }
    }
    for (const job of live) {
      if (open.has(job.id)) continue;
      const controller = new AbortController();
      open.set(job.id, controller);
      streamEvents(
        `/v1/jobs/${job.id}/events`,
        (e) => {
          if (e.event !== 'state' && e.event !== 'progress') return;
          const data = JSON.parse(e.data) as JobEventData;
          setJobs((list) => list?.map((j) => applyEvent(j, data)) ?? list);
          // A job that ended has a result (or error) the event does not carry: reload the list.
          if (e.event === 'state' && FINAL_STATES.includes(data.state)) setTick((t) => t + 1);
        },
        controller.signal,
        request,
      )
        .catch(() => undefined)
        .finally(() => {
          if (open.get(job.id) === controller) open.delete(job.id);
        });
    }
  }, [jobs]);
  useEffect(() => {
    const open = streams.current;
    return () => {
      for (const c of open.values()) c.abort();
      open.clear();
    };
  }, []);

  async function act(job: Job, action: 'cancel' | 'retry') {
    setActionError(null);
    try {
      if (action === 'cancel') await request(`/v1/jobs/${job.id}`, { method: 'DELETE' });
      else await postJson(`/v1/jobs/${job.id}/retry`, {});
      setTick((t) => t + 1);
    } catch (e) {
      setActionError(`Could not ${action} job ${job.id}: ${(e as Error).message}`);
    }
  }

  const select = (name: keyof Filters, label: string, options: string[]) => (
    <div className="field">
      <label htmlFor={`filter-${name}`}>{label}</label>
      <select id={`filter-${name}`} value={filters[name]} onChange={(e) => setFilters({ ...filters, [name]: e.target.value })}>
        <option value="">any</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </div>
  );

  const focus = jobs?.find((j) => j.id === selected) ?? null;
  return (
    <>
      <TrainForm onSubmitted={(id) => {
        setSelected(id);
        setTick((t) => t + 1);
      }} />
      <section aria-labelledby="jobs-heading">
        <h2 id="jobs-heading">Jobs</h2>
        <div className="filters">
          {select('queue', 'Queue', QUEUES)}
          {select('kind', 'Kind', KINDS)}
          {select('state', 'State', STATES)}
        </div>
        <ErrorNotice error={error} />
        <ErrorNotice error={actionError} />
        {jobs && jobs.length === 0 && <p>No jobs match.</p>}
        {jobs && jobs.length > 0 && (
          <div className="table-wrap">
            <table data-testid="jobs-table">
              <caption className="visually-hidden">Jobs, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Job</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Queue</th>
                  <th scope="col">State</th>
                  <th scope="col">Progress</th>
                  <th scope="col">Created</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {jobs.map((j) => (
                  <tr key={j.id} data-job={j.id} className={j.id === selected ? 'selected' : undefined}>
                    <th scope="row">#{j.id}</th>
                    <td>
                      {j.kind}
                      {typeof j.payload?.model === 'string' && <span className="small"> {j.payload.model}</span>}
                      {typeof j.payload?.series_key === 'string' && <span className="small"> {j.payload.series_key}</span>}
                    </td>
                    <td>{j.queue}</td>
                    <td>
                      <StateBadge state={j.state} />
                      {j.error && <div className="small reason">{j.error}</div>}
                    </td>
                    <td>
                      <progress max={100} value={j.progress ?? 0} aria-label={`Progress of job ${j.id}`} data-progress={j.progress ?? 0} />
                      <span className="small"> {j.progress ?? 0}%</span>
                      {j.progress_message && <div className="small">{j.progress_message}</div>}
                    </td>
                    <td className="small">{new Date(j.created_at).toLocaleString()}</td>
                    <td>
                      <div className="actions">
                        <button type="button" onClick={() => setSelected(j.id)} aria-pressed={j.id === selected}>
                          Details <span className="visually-hidden">of job {j.id}</span>
                        </button>
                        {!FINAL_STATES.includes(j.state) && (
                          <button type="button" onClick={() => void act(j, 'cancel')}>
                            Cancel <span className="visually-hidden">job {j.id}</span>
                          </button>
                        )}
                        {['dead', 'cancelled', 'failed'].includes(j.state) && (
                          <button type="button" onClick={() => void act(j, 'retry')}>
                            Retry <span className="visually-hidden">job {j.id}</span>
                          </button>
                        )}
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {!jobs && !error && <p role="status">Loading jobs…</p>}
      </section>
      {focus && <JobDetails job={focus} all={jobs ?? []} />}
    </>
  );
}

function TrainForm({ onSubmitted }: { onSubmitted: (id: number) => void }) {
  const [models, setModels] = useState<string[]>([]);
  const [model, setModel] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const train = useAllowed(TRAIN_PROBE, 'Training needs a key with the train role.');
  useEffect(() => {
    getJson<ModelList>('/v1/models').then(
      (l) => {
        const names = l.models.filter((m) => m.trainable).map((m) => m.name);
        setModels(names);
        setModel(names[0] ?? '');
      },
      () => setModels([]),
    );
  }, []);
  if (models.length === 0) return null;
  return (
    <form
      className="inline-form"
      onSubmit={async (e) => {
        e.preventDefault();
        setError(null);
        try {
          const job = await postJson<Job>(`/v1/models/${encodeURIComponent(model)}/train`, {});
          setMessage(`Training job ${job?.id} submitted for ${model}.`);
          if (job) onSubmitted(job.id);
        } catch (err) {
          setError((err as Error).message);
        }
      }}
    >
      <div className="field">
        <label htmlFor="train-model">Train a model (its model.yaml says how)</label>
        <select id="train-model" value={model} onChange={(e) => setModel(e.target.value)}>
          {models.map((m) => (
            <option key={m}>{m}</option>
          ))}
        </select>
      </div>
      <button type="submit" disabled={!train.allowed} title={train.allowed ? undefined : train.reason}>
        Start training
      </button>
      <span role="status" className="small">
        {train.allowed ? message : train.reason}
      </span>
      <ErrorNotice error={error} />
    </form>
  );
}

function JobDetails({ job, all }: { job: Job; all: Job[] }) {
  const [lines, setLines] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const logEnd = useRef<HTMLPreElement>(null);
  const final = FINAL_STATES.includes(job.state);

  // The log so far, then (while the job runs) its new lines as they come.
  useEffect(() => {
    const controller = new AbortController();
    setLines([]);
    (async () => {
      try {
        const answer = await getJson<{ lines: { line: string }[] }>(`/v1/jobs/${job.id}/logs`, controller.signal);
        setLines(answer.lines.map((l) => l.line));
        if (final) return;
        await streamEvents(
          `/v1/jobs/${job.id}/events`,
          (e) => {
            if (e.event !== 'log') return;
            const data = JSON.parse(e.data) as JobEventData;
            if (data.line != null) setLines((l) => [...l, data.line!]);
          },
          controller.signal,
          request,
        );
      } catch (e) {
        if ((e as Error).name !== 'AbortError') setError((e as Error).message);
      }
    })();
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [job.id]);

  useEffect(() => {
    const el = logEnd.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lines]);

  // Dependencies outside the filtered list are read one by one, so the graph names their kind and state.
  const [extra, setExtra] = useState<Job[]>([]);
  const missing = job.depends_on.filter((id) => !all.some((j) => j.id === id)).join(',');
  useEffect(() => {
    if (!missing) return;
    const controller = new AbortController();
    Promise.all(missing.split(',').map((id) => getJson<Job>(`/v1/jobs/${id}`, controller.signal))).then(setExtra, () => undefined);
    return () => controller.abort();
  }, [missing]);
  const graph = useMemo(() => dependencyGraph(job, [...all, ...extra.filter((e) => !all.some((j) => j.id === e.id))]), [job, all, extra]);
  return (
    <section className="job-details" aria-labelledby="job-details-heading">
      <h2 id="job-details-heading">
        Job #{job.id}: {job.kind} <StateBadge state={job.state} />
      </h2>
      <dl className="facts">
        <dt>Attempts</dt>
        <dd>
          {job.attempts} of {job.max_attempts}
        </dd>
        <dt>Payload</dt>
        <dd>
          <code>{JSON.stringify(job.payload)}</code>
        </dd>
        {job.result != null && (
          <>
            <dt>Result</dt>
            <dd>
              <code>{JSON.stringify(job.result)}</code>
            </dd>
          </>
        )}
        {job.error && (
          <>
            <dt>Error</dt>
            <dd className="reason">{job.error}</dd>
          </>
        )}
      </dl>
      {graph.edges.length > 0 && <DependencyGraph graph={graph} />}
      <h3>Log</h3>
      <ErrorNotice error={error} />
      <pre className="log" ref={logEnd} tabIndex={0} aria-label={`Log of job ${job.id}`} data-testid="job-log">
        {lines.length ? lines.join('\n') : '(no lines yet)'}
      </pre>
    </section>
  );
}

function DependencyGraph({ graph }: { graph: ReturnType<typeof dependencyGraph> }) {
  const W = 150, H = 36, GX = 60, GY = 14;
  const pos = new Map(graph.nodes.map((n) => [n.id, n]));
  const width = (Math.max(...graph.nodes.map((n) => n.x)) + 1) * (W + GX);
  const height = (Math.max(...graph.nodes.map((n) => n.y)) + 1) * (H + GY);
  const desc = graph.edges.map(([a, b]) => `job ${a} before job ${b}`).join(', ');
  return (
    <figure className="graph">
      <svg width={width} height={height} role="img" aria-label={`Dependencies: ${desc}`}>
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" fill="#57606a" />
          </marker>
        </defs>
        {graph.edges.map(([a, b]) => {
          const s = pos.get(a)!, t = pos.get(b)!;
          return (
            <line
              key={`${a}-${b}`}
              x1={s.x * (W + GX) + W}
              y1={s.y * (H + GY) + H / 2}
              x2={t.x * (W + GX)}
              y2={t.y * (H + GY) + H / 2}
              className="edge"
              markerEnd="url(#arrow)"
            />
          );
        })}
        {graph.nodes.map((n) => (
          <g key={n.id} transform={`translate(${n.x * (W + GX)},${n.y * (H + GY)})`}>
            <rect width={W} height={H} rx={6} className={`node state-${n.state}`} />
            <text x={8} y={15}>
              {n.label}
            </text>
            <text x={8} y={30} className="small">
              {n.state}
            </text>
          </g>
        ))}
      </svg>
    </figure>
  );
}
