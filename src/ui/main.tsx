import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type Whoami } from './api.ts';
import { Link } from './components/common.tsx';
import { BASE, useLocation } from './router.ts';
import { AccessPage } from './pages/access.tsx';
import { AgentsPage } from './pages/agents.tsx';
import { CallPage } from './pages/call.tsx';
import { ConfigPage } from './pages/config.tsx';
import { ConnectPage } from './pages/connect.tsx';
import { ModelsPage } from './pages/models.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { ProvidersPage } from './pages/providers.tsx';
import { SessionPage, SessionsPage } from './pages/sessions.tsx';
import { ToolsPage } from './pages/tools.tsx';
import { UserPage, UsersPage } from './pages/users.tsx';
import './styles.css';

type NavItem = { path: string; label: string; admin?: boolean };
const nav: { group: string; items: NavItem[] }[] = [
  {
    group: 'Usage',
    items: [
      { path: '/', label: 'Overview' },
      { path: '/users', label: 'Users', admin: true },
      { path: '/models', label: 'Models' },
      { path: '/agents', label: 'Agents' },
      { path: '/sessions', label: 'Sessions & calls' },
      { path: '/tools', label: 'Tool use' },
    ],
  },
  {
    group: 'Administration',
    items: [
      { path: '/access', label: 'Access', admin: true },
      { path: '/providers', label: 'Providers', admin: true },
      { path: '/config', label: 'Config', admin: true },
    ],
  },
  { group: 'Get started', items: [{ path: '/connect', label: 'Connect an agent' }] },
];

function active(current: string, path: string): boolean {
  return path === '/' ? current === '/' : current === path || current.startsWith(`${path}/`) || (path === '/sessions' && current.startsWith('/calls/'));
}

function NotFound() {
  return (
    <section class="page">
      <h1 id="page-title" tabIndex={-1}>
        Not found
      </h1>
      <p>There is no page here.</p>
    </section>
  );
}

function AdminOnly() {
  return (
    <section class="page">
      <h1 id="page-title" tabIndex={-1}>
        Admins only
      </h1>
      <p class="notice error" role="alert">
        This page needs the admin role.
      </p>
    </section>
  );
}

function Routes(props: { me: Whoami }) {
  const { path } = useLocation();
  const admin = props.me.role === 'admin';
  const guard = (page: preact.JSX.Element) => (admin ? page : <AdminOnly />);
  let match: RegExpExecArray | null;
  if (path === '/') return <OverviewPage me={props.me} />;
  if (path === '/users') return guard(<UsersPage me={props.me} />);
  if ((match = /^\/users\/(.+)$/.exec(path))) return <UserPage me={props.me} login={decodeURIComponent(match[1])} />;
  if (path === '/models') return <ModelsPage me={props.me} />;
  if (path === '/agents') return <AgentsPage me={props.me} />;
  if (path === '/sessions') return <SessionsPage me={props.me} />;
  if ((match = /^\/sessions\/(.+)$/.exec(path))) return <SessionPage me={props.me} id={decodeURIComponent(match[1])} />;
  if ((match = /^\/calls\/([\w-]+)$/.exec(path))) return <CallPage me={props.me} id={match[1]} />;
  if (path === '/tools') return <ToolsPage me={props.me} />;
  if (path === '/access') return guard(<AccessPage me={props.me} />);
  if (path === '/providers') return guard(<ProvidersPage me={props.me} />);
  if (path === '/config') return guard(<ConfigPage me={props.me} />);
  if (path === '/connect') return <ConnectPage me={props.me} />;
  return <NotFound />;
}

function App() {
  const [me, setMe] = useState<Whoami | { error: string }>();
  const [menuOpen, setMenuOpen] = useState(false);
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  useEffect(() => {
    api<Whoami>('/api/whoami').then(setMe, (error: Error) => setMe({ error: error.message }));
  }, []);
  // After an in-page navigation, move focus to the new page's heading so screen readers announce it.
  const first = useRef(true);
  useEffect(() => {
    setMenuOpen(false);
    if (first.current) {
      first.current = false;
      return;
    }
    requestAnimationFrame(() => document.getElementById('page-title')?.focus());
  }, [location.path]);
  if (!me) return <p class="boot">Loading…</p>;
  if ('error' in me) {
    return (
      <main class="boot" id="main">
        <h1>Tailgate</h1>
        <p class="notice error" role="alert">
          {me.error}
        </p>
        <p>Ask an admin for a grant with a role.</p>
      </main>
    );
  }
  const admin = me.role === 'admin';
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <button type="button" class="menu-button" aria-expanded={menuOpen} aria-controls="nav" onClick={() => setMenuOpen(!menuOpen)}>
          <span aria-hidden="true">☰</span>
          <span class="visually-hidden">Menu</span>
        </button>
        <a class="brand" href={`${BASE}/`}>
          Tailgate
        </a>
        <div class="whoami" data-testid="whoami">
          <span class="login">{me.display_name ?? me.login}</span>
          <span class={`badge ${admin ? 'admin' : 'muted'}`}>{me.role}</span>
        </div>
      </header>
      <nav id="nav" class={`sidebar ${menuOpen ? 'open' : ''}`} aria-label="Main">
        {nav.map((group) => {
          const items = group.items.filter((item) => admin || !item.admin);
          if (items.length === 0) return null;
          return (
            <div class="nav-group" key={group.group}>
              <h2>{group.group}</h2>
              <ul>
                {items.map((item) => (
                  <li key={item.path}>
                    <Link href={`${BASE}${item.path === '/' ? '/' : item.path}`} aria-current={active(location.path, item.path) ? 'page' : undefined}>
                      {item.label}
                    </Link>
                  </li>
                ))}
              </ul>
            </div>
          );
        })}
      </nav>
      <main id="main" ref={main} tabIndex={-1}>
        <Routes me={me} />
      </main>
    </div>
  );
}

render(<App />, document.getElementById('app')!);
