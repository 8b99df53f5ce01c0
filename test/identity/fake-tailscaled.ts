// A fake tailscaled: the LocalAPI's `whois` on a unix socket, shaped like the real one
// (../../../shared/reference/tailscale-identity.md §1.1–§1.3, Appendix A.2). It checks the Host header
// as `ipn/localapi/localapi.go` does, answers real-shaped, tab-indented WhoIsResponse JSON looked up by
// `ip:port` then `ip`, 404s unknown peers as text/plain, and can be told to answer slowly, never, or
// with garbage. It counts requests so tests can see the gateway's cache at work.
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';

/** The JSON tailscaled sends for a peer (apitype.WhoIsResponse). */
export type WhoIs = { Node: Record<string, unknown>; UserProfile: Record<string, unknown>; CapMap: Record<string, unknown[]> | null };

export type LocalApiRequest = { method: string; path: string; host: string | undefined; addr: string | null; status: number };

/** How the next whois answers are spoiled; `normal` is the real behaviour. */
export type Mode =
  | { kind: 'normal' }
  /** Answer correctly but only after `delayMs`. */
  | { kind: 'slow'; delayMs: number }
  /** Accept the request and never answer. */
  | { kind: 'hang' }
  /** A 200 whose body is not JSON (a proxy's HTML page, a truncated answer…). */
  | { kind: 'garbage'; body?: string }
  /** Any other status with Go's `http.Error` text body, e.g. 500 `server has no local backend`. */
  | { kind: 'status'; status: number; body: string };

export type FakeTailscaled = {
  /** The unix socket path (under a short temp dir: sun_path is 108 bytes). */
  readonly socket: string;
  readonly requests: LocalApiRequest[];
  /** How many whois requests asked about `addr` (`ip:port`) or about any `ip:*` when given a bare IP. */
  whoisCount(addrOrIp?: string): number;
  /** Register a peer under `ip` or `ip:port` (the ProxyMapper case). */
  setPeer(key: string, whois: WhoIs): void;
  removePeer(key: string): void;
  setMode(mode: Mode): void;
  /** Close the server and remove the socket file: tailscaled is gone. */
  stop(): Promise<void>;
  /** Listen again on the same path. */
  restart(): Promise<void>;
  /** Stop and remove the temp dir. */
  close(): Promise<void>;
};

const plain = { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' };
// Real LocalAPI responses carry these (localapi.go ServeHTTP).
const common = { 'tailscale-version': '1.102.1-tfake', 'tailscale-cap': '145', 'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff' };

/**
 * Go marshals int64 node and user IDs as bare numbers, which may exceed 2^53. JSON.stringify cannot
 * write such a number exactly, so IDs are given as `{ int64: '…' }` and spliced in as raw digits.
 */
export function int64(digits: string): { int64: string } {
  return { int64: digits };
}

/** Go's `json.MarshalIndent(v, "", "\t")`, with int64 markers written as bare numbers. */
export function marshal(value: unknown): string {
  const text = JSON.stringify(value, (_key, item: unknown) => (isInt64(item) ? `\u0000int64:${item.int64}` : item), '\t');
  return text.replace(/"\\u0000int64:(-?\d+)"/g, '$1');
}

function isInt64(value: unknown): value is { int64: string } {
  return typeof value === 'object' && value !== null && Object.keys(value).length === 1 && typeof (value as { int64?: unknown }).int64 === 'string';
}

let serial = 0;
const hex = (seed: number, length: number) => Array.from({ length }, (_, i) => ((seed * 7 + i * 13) % 16).toString(16)).join('');

/** A user-owned node: no `Tags` key at all (omitempty), the owner's profile, CapMap as given or null. */
export function userNode(options: {
  login: string;
  displayName: string;
  host: string;
  tailnetIp: string;
  os?: string;
  capMap?: Record<string, unknown[]> | null;
  nodeId?: string;
  userId?: string;
  groups?: string[];
}): WhoIs {
  const n = ++serial;
  const userId = options.userId ?? String(123456780 + n);
  return {
    Node: {
      // One above 2^53: nodes created before March 2023 may have IDs like this (tailscale-identity.md §1.3).
      ID: int64(options.nodeId ?? String(9007199254740993n + BigInt(n))),
      StableID: `nStable${n}CNTRL`,
      Name: `${options.host}.tail1234.ts.net.`,
      User: int64(userId),
      Key: `nodekey:${hex(n, 64)}`,
      KeyExpiry: '2027-02-01T10:00:00Z',
      Machine: `mkey:${hex(n + 1, 64)}`,
      DiscoKey: `discokey:${hex(n + 2, 64)}`,
      Addresses: [`${options.tailnetIp}/32`, `fd7a:115c:a1e0::${n}/128`],
      AllowedIPs: [`${options.tailnetIp}/32`, `fd7a:115c:a1e0::${n}/128`],
      HomeDERP: 1,
      Hostinfo: { IPNVersion: '1.102.1-t0123456789-g0123456789', OS: options.os ?? 'macOS', OSVersion: '15.6.1', Hostname: options.host },
      Created: '2025-06-01T12:00:00Z',
      Cap: 145,
      Online: true,
      MachineAuthorized: true,
      ComputedName: options.host,
      ComputedNameWithHost: options.host,
    },
    UserProfile: {
      ID: int64(userId),
      LoginName: options.login,
      DisplayName: options.displayName,
      ProfilePicURL: `https://lh3.googleusercontent.com/a/${options.host}`,
      ...(options.groups ? { Groups: options.groups } : {}),
    },
    CapMap: options.capMap ?? null,
  };
}

/** A tagged node: owned by the synthetic `tagged-devices` user, tags in whatever order control sent. */
export function taggedNode(options: { tags: string[]; host: string; tailnetIp: string; capMap?: Record<string, unknown[]> | null }): WhoIs {
  const n = ++serial;
  return {
    Node: {
      ID: int64(String(5071234567890000 + n)),
      StableID: `nTagged${n}CNTRL`,
      Name: `${options.host}.tail1234.ts.net.`,
      User: int64('7909936612895534'),
      Key: `nodekey:${hex(n, 64)}`,
      Addresses: [`${options.tailnetIp}/32`],
      AllowedIPs: [`${options.tailnetIp}/32`],
      Hostinfo: { OS: 'linux', Hostname: options.host },
      Tags: options.tags,
      ComputedName: options.host,
    },
    UserProfile: { ID: int64('7909936612895534'), LoginName: 'tagged-devices', DisplayName: 'Tagged Devices' },
    CapMap: options.capMap ?? null,
  };
}

/** `/tmp/ts-XXXXXX/tailscaled.sock`: short, whatever TMPDIR says. */
function shortTempDir(): string {
  return mkdtempSync(join('/tmp', 'ts-'));
}

export async function startFakeTailscaled(peers: Record<string, WhoIs> = {}): Promise<FakeTailscaled> {
  const dir = shortTempDir();
  const socket = join(dir, 'tailscaled.sock');
  if (Buffer.byteLength(socket) >= 108) throw new Error(`fake tailscaled: socket path too long for sun_path: ${socket}`);
  const table = new Map<string, string>(Object.entries(peers).map(([key, whois]) => [key, marshal(whois)]));
  const requests: LocalApiRequest[] = [];
  const sockets = new Set<Socket>();
  let mode: Mode = { kind: 'normal' };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://local-tailscaled.sock');
    const entry: LocalApiRequest = { method: req.method ?? 'GET', path: url.pathname, host: req.headers.host, addr: url.searchParams.get('addr'), status: 0 };
    requests.push(entry);
    const answer = (status: number, headers: Record<string, string>, body: string) => {
      entry.status = status;
      if (res.destroyed) return;
      res.writeHead(status, { ...common, ...headers }).end(body);
    };
    // localapi.go validHost: only "" or "local-tailscaled.sock"; and no browser-originated requests.
    const host = req.headers.host;
    if (req.headers.referer !== undefined || req.headers.origin !== undefined || !(host === undefined || host === '' || host === 'local-tailscaled.sock')) {
      return answer(403, plain, 'invalid localapi request\n');
    }
    if (url.pathname !== '/localapi/v0/whois') return answer(404, plain, '404 page not found\n');
    if (req.method !== 'GET') return answer(405, plain, 'want GET\n');
    const addr = entry.addr;
    if (!addr) return answer(400, plain, "missing 'addr' parameter\n");
    const ip = addr.startsWith('[') ? addr.slice(1, addr.indexOf(']')) : addr.includes('.') ? addr.split(':')[0] : addr;
    if (!/^[\d.]+$/.test(ip) && !ip.includes(':')) return answer(400, plain, "invalid 'addr' parameter\n");
    const current = mode;
    switch (current.kind) {
      case 'hang':
        return;
      case 'garbage':
        return answer(200, { 'content-type': 'application/json' }, current.body ?? '<html><body>502 Bad Gateway</body></html>\n');
      case 'status':
        return answer(current.status, plain, current.body);
    }
    const respond = () => {
      const hit = table.get(addr) ?? table.get(ip);
      if (hit === undefined) return answer(404, plain, 'no match for IP:port\n');
      answer(200, { 'content-type': 'application/json' }, hit);
    };
    if (current.kind === 'slow') setTimeout(respond, current.delayMs).unref();
    else respond();
  });
  server.on('connection', (connection: Socket) => {
    sockets.add(connection);
    connection.on('close', () => sockets.delete(connection));
  });

  const listen = () => new Promise<void>((resolve, reject) => server.once('error', reject).listen(socket, () => (server.off('error', reject), resolve())));
  await listen();

  const stop = async () => {
    if (!server.listening) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const connection of sockets) connection.destroy();
    await closed; // node unlinks the socket file on close
    rmSync(socket, { force: true });
  };

  return {
    socket,
    requests,
    whoisCount(addrOrIp) {
      const whois = requests.filter((request) => request.path === '/localapi/v0/whois');
      if (addrOrIp === undefined) return whois.length;
      return whois.filter((request) => request.addr === addrOrIp || (!addrOrIp.includes(':') && request.addr?.split(':')[0] === addrOrIp)).length;
    },
    setPeer(key, whois) {
      table.set(key, marshal(whois));
    },
    removePeer(key) {
      table.delete(key);
    },
    setMode(next) {
      mode = next;
    },
    stop,
    async restart() {
      if (!server.listening) await listen();
    },
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A GET on a unix socket with full control of the headers, for checking the fake itself. */
export function rawLocalApiGet(socketPath: string, path: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, path, method: 'GET', headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
