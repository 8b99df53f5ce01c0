// Tailscale LocalAPI whois as the identity source, end to end: distinct callers come from distinct
// loopback addresses, the fake tailscaled says who each one is, and the gateway's grants decide.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { providersFor } from '../e2e/harness.ts';
import { startFakeTailscaled, taggedNode, userNode, type FakeTailscaled } from './fake-tailscaled.ts';
import { ALICE, BOB, CI, assertDialectError, callIn, callModel, cap, grant, send, startIdentityGateway, withRecord, type DialectName, type IdentityGateway } from './helpers.ts';

const CAROL = '127.0.0.7'; // grants only from the tailnet policy file (CapMap)
const DAVE = '127.0.0.8'; // on the tailnet, no grant at all
const UNKNOWN = '127.0.0.9'; // not on the tailnet
const ERIN = '127.0.0.10'; // config grant + CapMap grant
const FRANK = '127.0.0.11'; // granted only the less-preferred provider of gpt-4.1
const NOBODY = '127.0.0.12'; // a device with neither user nor tags
const GRACE = '127.0.0.13'; // an admin CapMap entry under a capability that is not ours
const HEIDI = '127.0.0.14'; // in group:ml by whois visible groups

let ts: FakeTailscaled;
let g: IdentityGateway;

before(async () => {
  ts = await startFakeTailscaled({
    [ALICE]: userNode({ login: 'alice@example.com', displayName: 'Alice Smith', host: 'alice-mbp', tailnetIp: '100.101.102.103' }),
    [BOB]: userNode({ login: 'bob@example.com', displayName: 'Bob Jones', host: 'bob-linux', tailnetIp: '100.64.0.3', os: 'linux' }),
    [CI]: taggedNode({ tags: ['tag:prod', 'tag:ci'], host: 'ci-runner-7', tailnetIp: '100.88.1.7' }),
    [CAROL]: userNode({ login: 'carol@example.com', displayName: 'Carol', host: 'carol-pc', tailnetIp: '100.64.0.7', capMap: { [cap]: [{ role: 'user' }, { models: 'gemini/**' }] } }),
    [DAVE]: userNode({ login: 'dave@example.com', displayName: 'Dave', host: 'dave-pc', tailnetIp: '100.64.0.8' }),
    [ERIN]: userNode({
      login: 'erin@example.com',
      displayName: 'Erin',
      host: 'erin-pc',
      tailnetIp: '100.64.0.10',
      capMap: { [cap]: [{ models: ['gemini/gemini-2.5-pro'] }], 'example.com/cap/llm-gateway': [{ tier: 'gold' }] },
    }),
    [FRANK]: userNode({ login: 'frank@example.com', displayName: 'Frank', host: 'frank-pc', tailnetIp: '100.64.0.11' }),
    [NOBODY]: taggedNode({ tags: [], host: 'orphan', tailnetIp: '100.64.0.12' }),
    [GRACE]: userNode({ login: 'grace@example.com', displayName: 'Grace', host: 'grace-pc', tailnetIp: '100.64.0.13', capMap: { 'example.com/cap/llm-gateway': [{ role: 'admin' }, { models: '**' }] } }),
    [HEIDI]: userNode({ login: 'heidi@example.com', displayName: 'Heidi', host: 'heidi-pc', tailnetIp: '100.64.0.14', groups: ['group:ml'] }),
  });
  g = await startIdentityGateway((fakeUrl) => ({
    identity: { sources: ['tailscale'], tailscale: { socket: ts.socket, timeout_ms: 1000, cache_ms: 60_000 } },
    providers: {
      // gpt-4.1 is served by two providers; openai is preferred.
      openai: { ...providersFor(fakeUrl).openai, preference: 10 },
      azure: { baseurl: fakeUrl, apikey: 'sk-azure-secret', models: ['gpt-4.1'], compatibility: { openai_chat: true } },
    },
    groups: { 'group:eng': ['Bob@Example.com', 'alice@example.com'] },
    grants: [
      grant(['alice@example.com'], { role: 'admin' }, { models: '**' }),
      grant(['group:eng'], { role: 'user' }, { models: 'anthropic/**' }, { models: 'openai/gpt-4.1' }),
      grant(['tag:ci'], { role: 'user' }, { models: '*/claude-haiku*' }),
      grant(['erin@example.com'], { role: 'user', models: 'openai/gpt-5' }),
      grant(['frank@example.com'], { role: 'user' }, { models: 'azure/gpt-4.1' }),
      grant(['group:ml'], { role: 'user' }, { models: 'gemini/gemini-2.5-flash' }),
    ],
  }));
});
after(async () => {
  await g?.close();
  await ts?.close();
});

const dialects: DialectName[] = ['openai', 'anthropic', 'gemini'];
const modelIn: Record<DialectName, string> = { openai: 'gpt-5', anthropic: 'claude-sonnet-4-5', gemini: 'gemini-2.5-flash' };

describe('who the caller is', () => {
  test('a user node is its login; every record carries login, source and node', async () => {
    for (const dialect of dialects) {
      const { reply, record } = await withRecord(g.gateway, () => send(g.port, { from: ALICE, ...callIn(dialect, modelIn[dialect]) }));
      assert.equal(reply.status, 200, `${dialect}: ${reply.text}`);
      assert.equal(record.outcome, 'ok');
      assert.equal(record.login, 'alice@example.com');
      assert.equal(record.identitySource, 'tailscale');
      assert.equal(record.node, 'alice-mbp.tail1234.ts.net.');
      assert.equal(record.tags, undefined, 'a user node has no tags');
    }
  });

  test('the whois address is the TCP peer as ip:port, asked with the LocalAPI Host header', async () => {
    const before = ts.requests.length;
    const reply = await send(g.port, { from: BOB, path: '/api/whoami' });
    assert.equal(reply.status, 200);
    const asked = ts.requests.slice(before);
    assert.equal(asked.length, 1);
    assert.equal(asked[0].addr, `${BOB}:${reply.localPort}`);
    assert.equal(asked[0].host, 'local-tailscaled.sock');
  });

  test('a tagged node is its tags, sorted and comma-joined; the record carries the tags', async () => {
    const { reply, record } = await withRecord(g.gateway, () => callModel(g.port, CI, 'claude-haiku-4-5'));
    assert.equal(reply.status, 200, reply.text);
    assert.equal(record.login, 'tag:ci,tag:prod');
    assert.deepEqual(record.tags, ['tag:ci', 'tag:prod']);
    assert.equal(record.node, 'ci-runner-7.tail1234.ts.net.');
    assert.equal(record.identitySource, 'tailscale');
  });

  test('a caller whois does not know is denied (403) when loopback is not a source, in each dialect', async () => {
    const upstream = g.fake.requests.length;
    for (const dialect of dialects) {
      const { reply, record } = await withRecord(g.gateway, () => send(g.port, { from: UNKNOWN, ...callIn(dialect, modelIn[dialect]) }));
      assertDialectError(reply, dialect, 403, /caller not identified \(not a tailnet peer\)/);
      assert.equal(record.outcome, 'denied');
      assert.equal(record.login, undefined);
    }
    // 127.0.0.1 is loopback, but loopback is not a source here.
    assertDialectError(await callModel(g.port, '127.0.0.1', 'gpt-5'), 'openai', 403, /caller not identified/);
    assert.equal(g.fake.requests.length, upstream, 'nothing reached a provider');
  });

  test('a device with neither a user nor tags is denied', async () => {
    assertDialectError(await callModel(g.port, NOBODY, 'gpt-5'), 'openai', 403, /no user and no tags/);
  });

  test('Tailscale-* headers mean nothing when serve mode is off: whois decides', async () => {
    const headers = { 'tailscale-user-login': 'alice@example.com', 'tailscale-app-capabilities': JSON.stringify({ [cap]: [{ role: 'admin' }, { models: '**' }] }) };
    const whoami = await send(g.port, { from: BOB, path: '/api/whoami', headers });
    assert.equal(whoami.json.login, 'bob@example.com');
    assertDialectError(await callModel(g.port, BOB, 'gpt-5', { headers }), 'openai', 403, /model "gpt-5" is not granted/);
  });
});

describe('what the caller may use', () => {
  test('no role → 403 `access denied: no role granted` in each dialect, recorded as denied with the login', async () => {
    for (const dialect of dialects) {
      const before = g.fake.requests.length;
      const { reply, record } = await withRecord(g.gateway, () => send(g.port, { from: DAVE, ...callIn(dialect, modelIn[dialect]) }));
      assertDialectError(reply, dialect, 403, /^access denied: no role granted$/);
      assert.equal(record.outcome, 'denied');
      assert.equal(record.login, 'dave@example.com');
      assert.equal(record.identitySource, 'tailscale');
      assert.equal(g.fake.requests.length, before, 'nothing reached a provider');
    }
  });

  test('a model outside the grants → 403 in each dialect', async () => {
    assertDialectError(await callModel(g.port, BOB, 'gpt-5'), 'openai', 403, /access denied: model "gpt-5" is not granted to you/);
    assertDialectError(await callModel(g.port, CI, 'claude-sonnet-4-5'), 'anthropic', 403, /model "claude-sonnet-4-5" is not granted/);
    assertDialectError(await callModel(g.port, BOB, 'gemini-2.5-flash'), 'gemini', 403, /model "gemini-2.5-flash" is not granted/);
  });

  test('globs: `anthropic/**` and exact `openai/gpt-4.1` (bob, via config group:eng, matched case-insensitively)', async () => {
    for (const model of ['claude-sonnet-4-5', 'claude-haiku-4-5', 'gpt-4.1', 'anthropic/claude-sonnet-4-5']) {
      assert.equal((await callModel(g.port, BOB, model)).status, 200, model);
    }
    for (const model of ['gpt-5', 'text-embedding-3-small', 'gemini-2.5-pro']) assert.equal((await callModel(g.port, BOB, model)).status, 403, model);
  });

  test('globs: `*/claude-haiku*` matches one provider segment (the tagged node via tag:ci)', async () => {
    assert.equal((await callModel(g.port, CI, 'claude-haiku-4-5')).status, 200);
    for (const model of ['claude-sonnet-4-5', 'gpt-4.1', 'gemini-2.5-flash']) assert.equal((await callModel(g.port, CI, model)).status, 403, model);
  });

  test('admin vs user: admin wins when both grants match', async () => {
    const alice = await send(g.port, { from: ALICE, path: '/api/whoami' });
    assert.equal(alice.json.role, 'admin', 'alice is also in group:eng (user) — admin wins');
    const bob = await send(g.port, { from: BOB, path: '/api/whoami' });
    assert.equal(bob.json.role, 'user');
  });

  test('grants from whois CapMap alone: a user with no config grant can call gemini', async () => {
    const { reply, record } = await withRecord(g.gateway, () => callModel(g.port, CAROL, 'gemini-2.5-pro'));
    assert.equal(reply.status, 200, reply.text);
    assert.equal(record.login, 'carol@example.com');
    assert.equal(record.provider, 'gemini');
    assertDialectError(await callModel(g.port, CAROL, 'gpt-4.1'), 'openai', 403, /not granted/);
    const whoami = await send(g.port, { from: CAROL, path: '/api/whoami' });
    assert.equal(whoami.json.role, 'user');
    assert.deepEqual(whoami.json.models, ['gemini/gemini-2.5-flash', 'gemini/gemini-2.5-pro']);
  });

  test('config grants and CapMap grants add up', async () => {
    assert.equal((await callModel(g.port, ERIN, 'gpt-5')).status, 200, 'from the config grant');
    assert.equal((await callModel(g.port, ERIN, 'gemini-2.5-pro')).status, 200, 'from CapMap (its role comes from the config grant)');
    assert.equal((await callModel(g.port, ERIN, 'gemini-2.5-flash')).status, 403);
    const whoami = await send(g.port, { from: ERIN, path: '/api/whoami' });
    assert.deepEqual(whoami.json.models, ['openai/gpt-5', 'gemini/gemini-2.5-pro']);
  });

  test("a CapMap entry under another capability name is not Aperture's grant", async () => {
    assertDialectError(await callModel(g.port, GRACE, 'gpt-5'), 'openai', 403, /no role granted/);
  });

  test('group: also matches the groups whois reports (visible groups)', async () => {
    assert.equal((await callModel(g.port, HEIDI, 'gemini-2.5-flash')).status, 200);
    assert.equal((await callModel(g.port, HEIDI, 'gemini-2.5-pro')).status, 403);
  });

  test('when only the less-preferred provider of a model is granted, the call goes there', async () => {
    const frank = await withRecord(g.gateway, () => callModel(g.port, FRANK, 'gpt-4.1'));
    assert.equal(frank.reply.status, 200, frank.reply.text);
    assert.equal(frank.record.provider, 'azure');
    assert.equal(g.fake.requests.at(-1)!.headers.authorization, 'Bearer sk-azure-secret');
    const alice = await withRecord(g.gateway, () => callModel(g.port, ALICE, 'gpt-4.1'));
    assert.equal(alice.record.provider, 'openai', 'with both granted, the preferred provider wins');
    const bob = await withRecord(g.gateway, () => callModel(g.port, BOB, 'gpt-4.1'));
    assert.equal(bob.record.provider, 'openai');
  });
});

describe('/v1/models and /api/whoami', () => {
  const ids = (reply: { json: { data: { owned_by: string; id: string }[] } }) => reply.json.data.map((model) => `${model.owned_by}/${model.id}`);

  test('/v1/models lists only what the caller may use', async () => {
    assert.deepEqual(ids(await send(g.port, { from: BOB, path: '/v1/models' })), ['openai/gpt-4.1', 'anthropic/claude-sonnet-4-5', 'anthropic/claude-haiku-4-5']);
    assert.deepEqual(ids(await send(g.port, { from: CI, path: '/v1/models' })), ['anthropic/claude-haiku-4-5']);
    assert.deepEqual(ids(await send(g.port, { from: FRANK, path: '/v1/models' })), ['azure/gpt-4.1']);
    assert.equal(ids(await send(g.port, { from: ALICE, path: '/v1/models' })).length, 8);
    assertDialectError(await send(g.port, { from: DAVE, path: '/v1/models' }), 'openai', 403, /no role granted/);
    assertDialectError(await send(g.port, { from: UNKNOWN, path: '/v1/models' }), 'openai', 403, /not identified/);
  });

  test('/v1/models/{id} answers only for a model the caller may use, in the caller\'s dialect', async () => {
    assert.equal((await send(g.port, { from: CI, path: '/v1/models/claude-haiku-4-5' })).json.owned_by, 'anthropic');
    assertDialectError(await send(g.port, { from: CI, path: '/v1/models/gpt-4.1' }), 'openai', 404, /model "gpt-4.1" is not available/);
    assertDialectError(await send(g.port, { from: CI, path: '/v1/models/gpt-4.1', headers: { 'anthropic-version': '2023-06-01' } }), 'anthropic', 404, /not available/);
    assertDialectError(await send(g.port, { from: CI, path: '/v1/models/%E0%A4%A' }), 'openai', 400, /not valid URL encoding/);
    assert.equal((await send(g.port, { from: FRANK, path: '/v1/models/azure/gpt-4.1' })).json.owned_by, 'azure');
    assertDialectError(await send(g.port, { from: DAVE, path: '/v1/models/gpt-4.1' }), 'openai', 403, /no role granted/);
  });

  test('/api/whoami returns the identity, role and models', async () => {
    const alice = (await send(g.port, { from: ALICE, path: '/api/whoami' })).json;
    assert.equal(alice.login, 'alice@example.com');
    assert.equal(alice.kind, 'user');
    assert.equal(alice.source, 'tailscale');
    assert.equal(alice.display_name, 'Alice Smith');
    assert.deepEqual(alice.node, { name: 'alice-mbp.tail1234.ts.net.', stableId: alice.node.stableId, os: 'macOS' });
    assert.match(alice.node.stableId, /^nStable\d+CNTRL$/);
    assert.equal(alice.role, 'admin');
    assert.equal(alice.models.length, 8);
    assert.ok(alice.models.includes('azure/gpt-4.1') && alice.models.includes('openai/gpt-4.1'));

    const ci = (await send(g.port, { from: CI, path: '/api/whoami' })).json;
    assert.deepEqual([ci.login, ci.kind, ci.tags, ci.role, ci.models], ['tag:ci,tag:prod', 'tagged', ['tag:ci', 'tag:prod'], 'user', ['anthropic/claude-haiku-4-5']]);
  });
});
