// `tailscale serve` in front of the gateway (tailscale-identity.md §3): serve connects from loopback
// and sets Tailscale-User-Login/-Name (Q-encoded when non-ASCII) for user nodes, Tailscale-App-Capabilities
// when --accept-app-caps is on, and only X-Forwarded-For for tagged nodes, which the gateway whoises.
// Spoofs from non-loopback peers are in spoofing.test.ts.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startFakeTailscaled, taggedNode, userNode, type FakeTailscaled } from './fake-tailscaled.ts';
import { assertDialectError, callModel, cap, grant, send, startIdentityGateway, withRecord, type IdentityGateway } from './helpers.ts';

const SERVE = '127.0.0.1'; // serve's own connection to the backend
const CI_TAILNET_IP = '100.88.1.7';

let ts: FakeTailscaled;
let g: IdentityGateway;

before(async () => {
  ts = await startFakeTailscaled({
    [CI_TAILNET_IP]: taggedNode({ tags: ['tag:prod', 'tag:ci'], host: 'ci-runner-7', tailnetIp: CI_TAILNET_IP }),
    '100.101.102.103': userNode({ login: 'alice@example.com', displayName: 'Alice Smith', host: 'alice-mbp', tailnetIp: '100.101.102.103' }),
  });
  g = await startIdentityGateway(() => ({
    identity: { sources: ['serve'], tailscale: { socket: ts.socket, timeout_ms: 500, cache_ms: 60_000 } },
    grants: [
      grant(['alice@example.com'], { role: 'admin' }, { models: '**' }),
      grant(['tag:ci'], { role: 'user' }, { models: '*/claude-haiku*' }),
      grant(['rené@example.com'], { role: 'user' }, { models: 'openai/gpt-4.1' }),
    ],
  }));
});
after(async () => {
  await g?.close();
  await ts?.close();
});

const userHeaders = (login: string, name: string) => ({
  'tailscale-user-login': login,
  'tailscale-user-name': name,
  'tailscale-user-profile-pic': 'https://lh3.googleusercontent.com/a/x',
  'tailscale-headers-info': 'https://tailscale.com/s/serve-headers',
  'x-forwarded-for': '100.101.102.103',
  'x-forwarded-host': 'ai.tail1234.ts.net',
  'x-forwarded-proto': 'https',
});

test('user headers from the loopback peer identify the user; the record says source serve', async () => {
  const before = ts.requests.length;
  const { reply, record } = await withRecord(g.gateway, () => callModel(g.port, SERVE, 'gpt-5', { headers: userHeaders('alice@example.com', 'Alice Smith') }));
  assert.equal(reply.status, 200, reply.text);
  assert.deepEqual([record.login, record.identitySource], ['alice@example.com', 'serve']);
  assert.equal(ts.requests.length, before, 'user headers need no whois');
  const whoami = (await send(g.port, { from: SERVE, path: '/api/whoami', headers: userHeaders('alice@example.com', 'Alice Smith') })).json;
  assert.deepEqual([whoami.login, whoami.display_name, whoami.source, whoami.role], ['alice@example.com', 'Alice Smith', 'serve', 'admin']);
});

test('RFC 2047 Q-encoded login and name (serve ≥ 1.64) are decoded before grants match', async () => {
  const headers = userHeaders('=?utf-8?q?ren=C3=A9@example.com?=', '=?utf-8?q?Ren=C3=A9_Dupont?=');
  const whoami = (await send(g.port, { from: SERVE, path: '/api/whoami', headers })).json;
  assert.equal(whoami.login, 'rené@example.com');
  assert.equal(whoami.display_name, 'René Dupont');
  assert.equal((await callModel(g.port, SERVE, 'gpt-4.1', { headers })).status, 200);
  assert.equal((await callModel(g.port, SERVE, 'gpt-5', { headers })).status, 403);
});

test('Tailscale-App-Capabilities grants add to config grants (a user with no config grant calls gemini)', async () => {
  const headers = {
    ...userHeaders('zoe@example.com', 'Zoe'),
    'tailscale-app-capabilities': JSON.stringify({ [cap]: [{ role: 'user' }, { models: 'gemini/**' }], 'example.com/cap/other': [{ x: 1 }] }),
  };
  assert.equal((await callModel(g.port, SERVE, 'gemini-2.5-pro', { headers })).status, 200);
  assertDialectError(await callModel(g.port, SERVE, 'gpt-4.1', { headers }), 'openai', 403, /not granted/);
  assertDialectError(await callModel(g.port, SERVE, 'gpt-4.1', { headers: userHeaders('zoe@example.com', 'Zoe') }), 'openai', 403, /no role granted/);
});

test('a tagged node (no user headers) is resolved by whois of X-Forwarded-For, cached by IP', async () => {
  const before = ts.whoisCount(CI_TAILNET_IP);
  const headers = { 'x-forwarded-for': CI_TAILNET_IP, 'x-forwarded-proto': 'https' };
  const { reply, record } = await withRecord(g.gateway, () => callModel(g.port, SERVE, 'claude-haiku-4-5', { headers }));
  assert.equal(reply.status, 200, reply.text);
  assert.equal(record.login, 'tag:ci,tag:prod');
  assert.equal(record.identitySource, 'serve');
  assert.deepEqual(record.tags, ['tag:ci', 'tag:prod']);
  assert.equal(record.node, 'ci-runner-7.tail1234.ts.net.');
  assert.equal(ts.requests.at(-1)!.addr, CI_TAILNET_IP, 'whois by the bare forwarded IP (serve does not give its port)');
  assertDialectError(await callModel(g.port, SERVE, 'claude-sonnet-4-5', { headers }), 'anthropic', 403, /not granted/);
  assert.equal(ts.whoisCount(CI_TAILNET_IP) - before, 1, 'the second call came from the cache');
});

test('X-Forwarded-For of an address that is not a tailnet peer → 403', async () => {
  assertDialectError(await callModel(g.port, SERVE, 'claude-haiku-4-5', { headers: { 'x-forwarded-for': '100.99.99.99' } }), 'anthropic', 403, /not a tailnet peer/);
});

test('X-Forwarded-For that serve would never send (a list, a name, a port) → 403', async () => {
  for (const forwarded of [`${CI_TAILNET_IP}, 10.0.0.1`, 'ci-runner-7', `${CI_TAILNET_IP}:443`]) {
    assertDialectError(await callModel(g.port, SERVE, 'gpt-4.1', { headers: { 'x-forwarded-for': forwarded } }), 'openai', 403, /malformed X-Forwarded-For/);
  }
});

test('a Funnel request (public internet) has no identity → 403, even with user headers', async () => {
  const headers = { ...userHeaders('alice@example.com', 'Alice'), 'tailscale-funnel-request': '?1' };
  assertDialectError(await callModel(g.port, SERVE, 'gemini-2.5-flash', { headers }), 'gemini', 403, /Funnel/);
});

test('no serve headers at all from loopback → not identified (403) when serve is the only source', async () => {
  assertDialectError(await callModel(g.port, SERVE, 'gpt-4.1'), 'openai', 403, /caller not identified \(no serve identity headers\)/);
});

test('tailscaled down while resolving X-Forwarded-For → 503 (fail closed)', async () => {
  await ts.stop();
  try {
    assertDialectError(await callModel(g.port, SERVE, 'gpt-4.1', { headers: { 'x-forwarded-for': '100.64.5.5' } }), 'openai', 503, /identity service unavailable/);
  } finally {
    await ts.restart();
  }
});
