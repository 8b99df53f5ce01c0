// The whois cache (per TCP peer ip:port, for cache_ms) and fail-closed behaviour: when tailscaled
// cannot say who a caller is — gone, too slow, talking garbage — nobody new gets in (503, in the
// caller's dialect), and the failure is not cached.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { startFakeTailscaled, userNode, type FakeTailscaled } from './fake-tailscaled.ts';
import { ALICE, BOB, assertDialectError, callIn, callModel, grant, keepAliveAgent, send, sleep, startIdentityGateway, withRecord, type DialectName, type IdentityGateway } from './helpers.ts';

const cacheMs = 300;
const timeoutMs = 150;

let ts: FakeTailscaled;
let g: IdentityGateway;

before(async () => {
  ts = await startFakeTailscaled({
    [ALICE]: userNode({ login: 'alice@example.com', displayName: 'Alice Smith', host: 'alice-mbp', tailnetIp: '100.101.102.103' }),
    [BOB]: userNode({ login: 'bob@example.com', displayName: 'Bob Jones', host: 'bob-linux', tailnetIp: '100.64.0.3' }),
  });
  g = await startIdentityGateway(() => ({
    identity: { sources: ['tailscale'], tailscale: { socket: ts.socket, timeout_ms: timeoutMs, cache_ms: cacheMs } },
    grants: [grant(['*'], { role: 'admin' }, { models: '**' })],
  }));
});
afterEach(async () => {
  ts.setMode({ kind: 'normal' });
  await ts.restart();
});
after(async () => {
  await g?.close();
  await ts?.close();
});

const dialects: [DialectName, string][] = [
  ['openai', 'gpt-4.1'],
  ['anthropic', 'claude-haiku-4-5'],
  ['gemini', 'gemini-2.5-flash'],
];

test('within cache_ms a second call from the same peer does not ask tailscaled; after it, the next one does', async () => {
  const agent = keepAliveAgent(ALICE);
  try {
    const before = ts.whoisCount(ALICE);
    const first = await callModel(g.port, ALICE, 'gpt-4.1', { agent });
    assert.equal(first.status, 200, first.text);
    assert.equal(ts.whoisCount(ALICE) - before, 1);
    const second = await callModel(g.port, ALICE, 'claude-haiku-4-5', { agent });
    assert.equal(second.status, 200);
    assert.equal(second.localPort, first.localPort, 'the same TCP peer (keep-alive)');
    assert.equal(ts.whoisCount(ALICE) - before, 1, 'answered from the cache');
    await sleep(cacheMs + 100);
    const third = await callModel(g.port, ALICE, 'gpt-4.1', { agent });
    assert.equal(third.status, 200);
    assert.equal(third.localPort, first.localPort);
    assert.equal(ts.whoisCount(ALICE) - before, 2, 'the entry expired and whois was asked again');
    assert.equal(ts.whoisCount(`${ALICE}:${first.localPort}`), 2, 'asked by ip:port of that connection');
  } finally {
    agent.destroy();
  }
});

test('tailscaled gone (socket removed) → 503 in each dialect, never a pass to "unknown"', async () => {
  await ts.stop();
  for (const [dialect, model] of dialects) {
    const { reply, record } = await withRecord(g.gateway, () => send(g.port, { from: BOB, ...callIn(dialect, model) }));
    assertDialectError(reply, dialect, 503, /^identity service unavailable$/);
    assert.deepEqual([record.outcome, record.status, record.errorKind, record.login], ['gateway_error', 503, 'unavailable', undefined]);
  }
  assertDialectError(await send(g.port, { from: BOB, path: '/v1/models' }), 'openai', 503, /identity service unavailable/);
  assertDialectError(await send(g.port, { from: BOB, path: '/api/whoami' }), 'openai', 503, /identity service unavailable/);
});

test('a 503 is not cached: the same connection gets in once tailscaled is back', async () => {
  const agent = keepAliveAgent(BOB);
  try {
    await ts.stop();
    const refused = await callModel(g.port, BOB, 'gpt-4.1', { agent });
    assert.equal(refused.status, 503);
    await ts.restart();
    const allowed = await callModel(g.port, BOB, 'gpt-4.1', { agent });
    assert.equal(allowed.localPort, refused.localPort, 'same TCP peer');
    assert.equal(allowed.status, 200, allowed.text);
  } finally {
    agent.destroy();
  }
});

test('a whois answer slower than timeout_ms → 503 in each dialect, within the deadline', async () => {
  ts.setMode({ kind: 'slow', delayMs: 2000 });
  for (const [dialect, model] of dialects) {
    const started = Date.now();
    assertDialectError(await send(g.port, { from: ALICE, ...callIn(dialect, model) }), dialect, 503, /identity service unavailable/);
    const took = Date.now() - started;
    assert.ok(took >= timeoutMs - 10 && took < timeoutMs + 500, `took ${took} ms`);
  }
  ts.setMode({ kind: 'hang' });
  assertDialectError(await callModel(g.port, ALICE, 'gpt-4.1'), 'openai', 503, /identity service unavailable/);
});

test('a slow answer within timeout_ms is fine', async () => {
  ts.setMode({ kind: 'slow', delayMs: 20 });
  assert.equal((await callModel(g.port, ALICE, 'gpt-4.1')).status, 200);
});

test('a 200 that is not JSON → 503 in each dialect', async () => {
  ts.setMode({ kind: 'garbage' });
  for (const [dialect, model] of dialects) {
    assertDialectError(await send(g.port, { from: ALICE, ...callIn(dialect, model) }), dialect, 503, /identity service unavailable/);
  }
  ts.setMode({ kind: 'garbage', body: '{"Node": {"StableID": "n1", "Na' }); // cut off mid-answer
  assertDialectError(await callModel(g.port, ALICE, 'gpt-4.1'), 'openai', 503, /identity service unavailable/);
});

test('tailscaled errors (500 no backend, 403 access denied) → 503, not 403', async () => {
  ts.setMode({ kind: 'status', status: 500, body: 'server has no local backend\n' });
  assertDialectError(await callModel(g.port, ALICE, 'claude-haiku-4-5'), 'anthropic', 503, /identity service unavailable/);
  ts.setMode({ kind: 'status', status: 403, body: 'whois access denied\n' });
  assertDialectError(await callModel(g.port, ALICE, 'gemini-2.5-flash'), 'gemini', 503, /identity service unavailable/);
});

test('the error never shows the socket path or tailscaled details', async () => {
  await ts.stop();
  const reply = await callModel(g.port, ALICE, 'gpt-4.1');
  assert.equal(reply.status, 503);
  assert.ok(!reply.text.includes(ts.socket) && !reply.text.includes('ENOENT') && !reply.text.includes('tailscaled'), reply.text);
});
