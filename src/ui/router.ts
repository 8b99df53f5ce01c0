import { useEffect, useState } from 'preact/hooks';

/** History routing under /ui: the server answers every /ui/* path with index.html. */
export const BASE = '/ui';

export type Location = { path: string; query: URLSearchParams };

function read(): Location {
  const raw = window.location.pathname.startsWith(BASE) ? window.location.pathname.slice(BASE.length) : window.location.pathname;
  return { path: raw.replace(/\/+$/, '') || '/', query: new URLSearchParams(window.location.search) };
}

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((listener) => listener()));

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const url = to.startsWith(BASE) ? to : `${BASE}${to}`;
  if (options.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  listeners.forEach((listener) => listener());
}

export function useLocation(): Location {
  const [location, setLocation] = useState(read);
  useEffect(() => {
    const update = () => setLocation(read());
    listeners.add(update);
    return () => void listeners.delete(update);
  }, []);
  return location;
}

/** Changes some query parameters of the current page, keeping the rest (filters live in the URL). */
export function setQuery(changes: Record<string, string | undefined>, options: { replace?: boolean } = { replace: true }): void {
  const current = read();
  const query = new URLSearchParams(current.query);
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined || value === '') query.delete(key);
    else query.set(key, value);
  }
  const search = query.toString();
  navigate(`${current.path}${search ? `?${search}` : ''}`, options);
}

export function href(path: string, query?: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value) search.set(key, value);
  const text = search.toString();
  return `${BASE}${path}${text ? `?${text}` : ''}`;
}

/** A link that routes in the page (and still works as a plain link: new tab, copy address). */
export function onLinkClick(event: MouseEvent): void {
  const anchor = (event.currentTarget as HTMLAnchorElement | null) ?? null;
  if (!anchor || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const target = anchor.getAttribute('href');
  if (!target || !target.startsWith(BASE) || anchor.target || anchor.hasAttribute('download')) return;
  event.preventDefault();
  navigate(target);
  window.scrollTo(0, 0);
}
