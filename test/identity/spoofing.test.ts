// Forged identity from a peer that is not loopback. Every 127/8 address is loopback on Linux, so the
// gateway listens on 0.0.0.0 and the client connects to, and from, this machine's own non-loopback IPv4
// address (the packets still stay on this host). If the machine has none, these tests are skipped.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startFakeTailscaled, taggedNode, userNode, type FakeTailscaled } from './fake-tailscaled.ts';
import { assertDialectError, callIn, callModel, cap, externalIPv4, grant, send, startIdentityGateway, withRecord, type DialectName, type IdentityGateway } from './helpers.ts';

const EXT = externalIPv4();
const skip = EXT === undefined && 'this machine has no non-loopback IPv4 address';
const ext = EXT ?? '0.0.0.0';
const fromExt = { from: ext, to: ext };

let ts: FakeTailscaled;
before(async () => {
  ts = await startFakeTailscaled({
    [ext]: userNode({ login: 'mallory@example.com', displayName: 'Mallory', host: 'mallory-pc', tailnetIp: '100.64.6.6' }),
    '127.0.0.2': userNode({ login: 'alice@example.com', displayName: 'Alice', host: 'alice-mbp', tailnetIp: '100.101.102.103' }),
    '100.88.1.7': taggedNode({ tags: ['tag:prod', 'tag:ci'], host: 'ci-runner-7', tailnetIp: '100.88.1.7' }),
  });
});
after(() => ts?.close());

const grants = [
  grant(['alice@example.com', 'tag:ci'], { role: 'admin' }, { models: '**' }),
  grant(['mallory@example.com'], { role: 'user' }, { models: 'openai/gpt-4.1' }),
];
const dialects: [DialectName, string][] = [
  ['openai', 'gpt-5'],
  ['anthropic', 'claude-sonnet-4-5'],
  ['gemini', 'gemini-2.5-pro'],
];

describe('serve mode on, serve tried first', { skip }, () => {
  let g: IdentityGateway;
  before(async () => {
    g = await startIdentityGateway(() => ({ identity: { sources: ['serve', 'tailscale'], tailscale: { socket: ts.socket } }, grants }), '0.0.0.0:0');
  });
  after(() => g?.close());

  test('the test really has a non-loopback peer', async () => {
    const before = ts.requests.length;
    const reply = await send(g.port, { ...fromExt, path: '/api/whoami' });
    assert.equal(reply.json.login, 'mallory@example.com', 'an honest request from the tailnet peer');
    assert.equal(ts.requests.slice(before)[0].addr, `${ext}:${reply.localPort}`);
  });

  test('Tailscale-User-Login from a non-loopback peer → 403 in each dialect (even from a real tailnet peer)', async () => {
    for (const [dialect, model] of dialects) {
      const { reply, record } = await withRecord(g.gateway, () => send(g.port, { ...fromExt, ...callIn(dialect, model), headers: { 'tailscale-user-login': 'alice@example.com', 'tailscale-user-name': 'Alice' } }));
      assertDialectError(reply, dialect, 403, /identity headers from an untrusted peer/);
      assert.deepEqual([record.outcome, record.login], ['denied', undefined]);
    }
  });

  test('any other serve header from a non-loopback peer is a spoof too', async () => {
    for (const headers of [
      { 'tailscale-user-name': 'Alice' },
      { 'tailscale-app-capabilities': JSON.stringify({ [cap]: [{ role: 'admin' }, { models: '**' }] }) },
      { 'tailscale-funnel-request': '?1' },
      { 'Tailscale-User-Login': 'ALICE@EXAMPLE.COM' },
    ] as Record<string, string>[]) {
      assertDialectError(await callModel(g.port, ext, 'gpt-4.1', { to: ext, headers }), 'openai', 403, /untrusted peer/);
    }
  });

  test('a forged X-Forwarded-For from a non-loopback peer → 403', async () => {
    for (const forwarded of ['100.88.1.7', '127.0.0.2', '127.0.0.1']) {
      assertDialectError(await callModel(g.port, ext, 'claude-sonnet-4-5', { to: ext, headers: { 'x-forwarded-for': forwarded } }), 'anthropic', 403, /untrusted peer/);
    }
  });

  test('the same headers from loopback (serve\'s own connection) are believed', async () => {
    const whoami = (await send(g.port, { from: '127.0.0.1', path: '/api/whoami', headers: { 'tailscale-user-login': 'alice@example.com' } })).json;
    assert.deepEqual([whoami.login, whoami.source], ['alice@example.com', 'serve']);
  });
});

describe('tailscale tried before serve', { skip }, () => {
  let g: IdentityGateway;
  before(async () => {
    g = await startIdentityGateway(() => ({ identity: { sources: ['tailscale', 'serve'], tailscale: { socket: ts.socket } }, grants }), '0.0.0.0:0');
  });
  after(() => g?.close());

  test('forged headers from a tailnet peer change nothing: whois of the TCP peer decides', async () => {
    const headers = { 'tailscale-user-login': 'alice@example.com', 'x-forwarded-for': '100.88.1.7' };
    const whoami = (await send(g.port, { ...fromExt, path: '/api/whoami', headers })).json;
    assert.deepEqual([whoami.login, whoami.role], ['mallory@example.com', 'user']);
    assertDialectError(await callModel(g.port, ext, 'gpt-5', { to: ext, headers }), 'openai', 403, /not granted/);
    assert.ok(!ts.requests.some((request) => request.addr?.startsWith('100.88.1.7')), 'the forged address was never looked up');
  });
});

describe('trusted proxy and loopback sources from a non-loopback peer', { skip }, () => {
  let g: IdentityGateway;
  before(async () => {
    g = await startIdentityGateway(
      () => ({
        identity: { sources: ['proxy', 'loopback'], proxy: { cidrs: ['127.0.0.5/32'], login_header: 'x-forwarded-email' } },
        grants: [grant(['*', '(loopback)'], { role: 'admin' }, { models: '**' })],
      }),
      '0.0.0.0:0',
    );
  });
  after(() => g?.close());

  test('the proxy login header from outside the proxy CIDRs → 403', async () => {
    for (const [dialect, model] of dialects) {
      assertDialectError(await send(g.port, { ...fromExt, ...callIn(dialect, model), headers: { 'x-forwarded-email': 'alice@example.com' } }), dialect, 403, /untrusted peer/);
    }
  });

  test('the loopback source never takes a non-loopback peer', async () => {
    assertDialectError(await callModel(g.port, ext, 'gpt-4.1', { to: ext }), 'openai', 403, /caller not identified \(not a loopback peer\)/);
    assert.equal((await callModel(g.port, '127.0.0.1', 'gpt-4.1')).status, 200, 'the control: loopback itself is identified');
  });
});

describe('dual-stack listener (peers as ::ffff:a.b.c.d)', () => {
  let g: IdentityGateway | undefined;
  before(async () => {
    try {
      g = await startIdentityGateway(() => ({ identity: { sources: ['serve', 'tailscale'], tailscale: { socket: ts.socket } }, grants }), '[::]:0');
    } catch {
      g = undefined; // no IPv6 here
    }
  });
  after(() => g?.close());

  test('IPv4-mapped peers are unmapped for whois, and ::ffff:127.x counts as loopback', async (t) => {
    if (!g) return t.skip('cannot listen on [::]');
    const before = ts.requests.length;
    const reply = await send(g.port, { from: '127.0.0.2', path: '/api/whoami' });
    assert.equal(reply.json.login, 'alice@example.com');
    assert.equal(ts.requests.slice(before)[0].addr, `127.0.0.2:${reply.localPort}`, 'tailscaled < 1.102 does not unmap ::ffff:');
    const serve = (await send(g.port, { from: '127.0.0.1', path: '/api/whoami', headers: { 'tailscale-user-login': 'alice@example.com' } })).json;
    assert.equal(serve.source, 'serve');
    if (EXT) assertDialectError(await callModel(g.port, ext, 'gpt-4.1', { to: ext, headers: { 'tailscale-user-login': 'alice@example.com' } }), 'openai', 403, /untrusted peer/);
  });
});
