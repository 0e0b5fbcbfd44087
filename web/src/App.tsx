import { useEffect, useRef, useState } from 'react';
import { getKey, onConnectivity, probe, setKey } from './api';
import { navigate, PAGES, useLocation } from './router';
import { ModelsPage } from './pages/ModelsPage';
import { TryPage } from './pages/TryPage';
import { JobsPage } from './pages/JobsPage';
import { ForecastsPage } from './pages/ForecastsPage';
import { ServerPage } from './pages/ServerPage';
import { ErrorBoundary } from './components/ErrorBoundary';

export function App() {
  const { page, params } = useLocation();
  const [online, setOnline] = useState(true);
  const [keyVersion, setKeyVersion] = useState(0);
  const heading = useRef<HTMLHeadingElement>(null);
  const title = PAGES.find((p) => p.path === page)?.title ?? 'Models';

  useEffect(() => onConnectivity(setOnline), []);
  // A heartbeat, so a server that stops shows the banner on every page (every 2 s while it is away, else every 5 s).
  useEffect(() => {
    const timer = setInterval(() => void probe(), online ? 5000 : 2000);
    return () => clearInterval(timer);
  }, [online]);
  useEffect(() => {
    document.title = `${title} · Modelhost`;
  }, [title]);

  return (
    <>
      <a className="skip" href="#main">Skip to content</a>
      <header className="top">
        <span className="brand">Modelhost</span>
        <nav aria-label="Pages">
          <ul>
            {PAGES.map((p) => (
              <li key={p.path}>
                <a
                  href={p.path}
                  aria-current={p.path === page ? 'page' : undefined}
                  onClick={(e) => {
                    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
                    e.preventDefault();
                    navigate(p.path);
                    heading.current?.focus();
                  }}
                >
                  {p.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <KeyBox onChange={() => setKeyVersion((v) => v + 1)} />
      </header>
      {!online && (
        <div className="banner" role="alert">
          The server cannot be reached. Reconnecting…
        </div>
      )}
      <main id="main">
        <h1 ref={heading} tabIndex={-1}>
          {title}
        </h1>
        <ErrorBoundary key={`${page}-${keyVersion}`}>
          {page === '/models' && <ModelsPage />}
          {page === '/try' && <TryPage initialModel={params.get('model')} />}
          {page === '/jobs' && <JobsPage />}
          {page === '/forecasts' && <ForecastsPage initialSeries={params.get('series')} />}
          {page === '/server' && <ServerPage />}
        </ErrorBoundary>
      </main>
    </>
  );
}

function KeyBox({ onChange }: { onChange: () => void }) {
  const [saved, setSaved] = useState(() => getKey() !== '');
  const [value, setValue] = useState('');
  if (saved) {
    return (
      <div className="keybox">
        <span>API key set for this tab</span>
        <button
          type="button"
          onClick={() => {
            setKey('');
            setSaved(false);
            onChange();
          }}
        >
          Forget key
        </button>
      </div>
    );
  }
  return (
    <form
      className="keybox"
      onSubmit={(e) => {
        e.preventDefault();
        if (!value.trim()) return;
        setKey(value.trim());
        setValue('');
        setSaved(true);
        onChange();
      }}
    >
      <label htmlFor="api-key">API key</label>
      <input
        id="api-key"
        type="password"
        autoComplete="off"
        placeholder="mh_… (not needed on loopback without keys)"
        value={value}
        onChange={(e) => setValue(e.target.value)}
      />
      <button type="submit">Use key</button>
    </form>
  );
}
