import { getJson, headers } from '../api';
import { useLoad } from '../hooks';
import { ErrorNotice } from '../components/Notice';

interface ServerSummary {
  name: string;
  version: string;
  started_at: string;
  uptime_seconds: number;
  urls: string;
  listening: string[];
  tls: boolean;
  repository: { path: string; poll_seconds: number | null };
  jobs: {
    enabled: boolean;
    store: string;
    data_dir: string;
    workers: { training: number; prediction: number };
    lease_seconds: number;
    forecast_horizon: number;
    allow_sql_from_api: boolean;
  };
  auth: { keys: number; jwt: boolean; allow_anonymous: boolean };
  limits: { max_connections: number; rate_per_second: number; request_timeout_seconds: number };
}

interface Ready {
  ready: boolean;
  jobs?: { ok: boolean; reason?: string };
  models?: { name: string; reason: string }[];
}

export function uptime(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  return [d ? `${d} d` : '', h ? `${h} h` : '', m ? `${m} min` : '', `${s} s`].filter(Boolean).join(' ');
}

async function readiness(signal: AbortSignal): Promise<Ready> {
  // 400 means "not ready" and still has a body: read it without treating it as an error.
  const response = await fetch('/v2/health/ready', { signal, headers: headers(false) });
  return (await response.json()) as Ready;
}

export function ServerPage() {
  const summary = useLoad((signal) => getJson<ServerSummary>('/v1/server', signal), [], 5000);
  const ready = useLoad(readiness, [], 5000);
  const s = summary.data;
  return (
    <section>
      <ErrorNotice error={summary.error} />
      {ready.data && (
        <p className={ready.data.ready ? 'ok' : 'error'} role="status">
          {ready.data.ready ? 'Every model is ready.' : 'Not ready: '}
          {ready.data.models?.map((m) => `${m.name} (${m.reason})`).join('; ')}
          {ready.data.jobs && !ready.data.jobs.ok && ` The job store is unavailable${ready.data.jobs.reason ? `: ${ready.data.jobs.reason}` : ''}.`}
        </p>
      )}
      {s && (
        <dl className="facts" data-testid="server-facts">
          <dt>Version</dt>
          <dd>
            {s.name} {s.version}
          </dd>
          <dt>Uptime</dt>
          <dd>
            {uptime(s.uptime_seconds)} (since {new Date(s.started_at).toLocaleString()})
          </dd>
          <dt>Listening on</dt>
          <dd>
            {s.listening.length ? s.listening.join(', ') : s.urls}
            {s.tls ? ' (TLS configured)' : ''}
          </dd>
          <dt>Repository</dt>
          <dd>
            <code>{s.repository.path}</code>,{' '}
            {s.repository.poll_seconds == null ? 'not polled' : `polled every ${s.repository.poll_seconds} s`}
          </dd>
          <dt>Job store</dt>
          <dd>
            {s.jobs.enabled
              ? `${s.jobs.store === 'postgresql' ? 'PostgreSQL' : 'SQLite'}, ${s.jobs.workers.training} training and ${s.jobs.workers.prediction} prediction worker(s), ${s.jobs.lease_seconds} s leases`
              : 'jobs are off'}
          </dd>
          <dt>Data directory</dt>
          <dd>
            <code>{s.jobs.data_dir}</code>
          </dd>
          <dt>Access</dt>
          <dd>
            {s.auth.keys} key(s){s.auth.jwt ? ', JWT bearer tokens' : ''}
            {s.auth.keys === 0 && !s.auth.jwt ? (s.auth.allow_anonymous ? ', anonymous everywhere' : ', anonymous on loopback only') : ''}
          </dd>
          <dt>Limits</dt>
          <dd>
            {s.limits.max_connections} connections, {s.limits.rate_per_second ? `${s.limits.rate_per_second} req/s per client` : 'no rate limit'},{' '}
            {s.limits.request_timeout_seconds} s request timeout
          </dd>
        </dl>
      )}
    </section>
  );
}
