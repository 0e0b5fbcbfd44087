// A small router over the History API: the server answers index.html for each of these paths.
import { useEffect, useState } from 'react';

export const PAGES = [
  { path: '/models', title: 'Models' },
  { path: '/try', title: 'Try a model' },
  { path: '/jobs', title: 'Jobs' },
  { path: '/forecasts', title: 'Forecasts' },
  { path: '/server', title: 'Server' },
] as const;

export type PagePath = (typeof PAGES)[number]['path'];

export function currentPage(pathname: string): PagePath {
  const page = PAGES.find((p) => p.path === pathname);
  return page ? page.path : '/models';
}

export function navigate(url: string) {
  window.history.pushState(null, '', url);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function useLocation(): { page: PagePath; params: URLSearchParams } {
  const [location, setLocation] = useState(() => ({ pathname: window.location.pathname, search: window.location.search }));
  useEffect(() => {
    const update = () => setLocation({ pathname: window.location.pathname, search: window.location.search });
    window.addEventListener('popstate', update);
    return () => window.removeEventListener('popstate', update);
  }, []);
  return { page: currentPage(location.pathname), params: new URLSearchParams(location.search) };
}
