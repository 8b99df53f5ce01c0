// A trusted authenticating proxy (oauth2-proxy's X-Forwarded-Email / X-Forwarded-Groups): its headers
// are believed only from the configured proxy CIDRs, and the same headers from anyone else are a spoof
// (403), never handed on to the next source. Loopback follows proxy in `sources` with an admin grant,
// so a header that leaked through would show up as a success.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertDialectError, callIn, callModel, grant, send, startIdentityGateway, withRecord, type DialectName, type IdentityGateway } from './helpers.ts';

const PROXY = '127.0.0.5';
const PROXY_NET = '127.0.1.77'; // inside 127.0.1.0/24
const OTHER = '127.0.0.6';

let g: IdentityGateway;
before(async () => {
  g = await startIdentityGateway(() => ({
    identity: {
      sources: ['proxy', 'loopback'],
      proxy: { cidrs: [`${PROXY}/32`, '127.0.1.0/24'], login_header: 'X-Forwarded-Email', groups_header: 'X-Forwarded-Groups' },
    },
    grants: [
      grant(['(loopback)'], { role: 'admin' }, { models: '**' }),
      grant(['carol@corp.example'], { role: 'user' }, { models: 'openai/gpt-4.1' }),
      grant(['group:ml'], { role: 'user' }, { models: 'gemini/**' }),
    ],
  }));
});
after(() => g?.close());

test('the login header from a configured proxy identifies the user; the record says source proxy', async () => {
  for (const from of [PROXY, PROXY_NET]) {
    const { reply, record } = await withRecord(g.gateway, () => callModel(g.port, from, 'gpt-4.1', { headers: { 'x-forwarded-email': 'carol@corp.example' } }));
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual([record.login, record.identitySource], ['carol@corp.example', 'proxy']);
  }
  assertDialectError(await callModel(g.port, PROXY, 'gpt-5', { headers: { 'x-forwarded-email': 'carol@corp.example' } }), 'openai', 403, /not granted/);
});

test('the groups header feeds group: grants', async () => {
  const headers = { 'x-forwarded-email': 'dan@corp.example', 'x-forwarded-groups': 'group:ml, group:other' };
  assert.equal((await callModel(g.port, PROXY, 'gemini-2.5-pro', { headers })).status, 200);
  const whoami = (await send(g.port, { from: PROXY, path: '/api/whoami', headers })).json;
  assert.deepEqual([whoami.login, whoami.groups, whoami.role], ['dan@corp.example', ['group:ml', 'group:other'], 'user']);
  assertDialectError(await callModel(g.port, PROXY, 'gpt-4.1', { headers }), 'openai', 403, /not granted/);
  assertDialectError(await callModel(g.port, PROXY, 'gpt-4.1', { headers: { 'x-forwarded-email': 'dan@corp.example' } }), 'openai', 403, /no role granted/);
});

test('the login header from outside the proxy CIDRs → 403 in each dialect, not passed on to loopback', async () => {
  for (const dialect of ['openai', 'anthropic', 'gemini'] as DialectName[]) {
    const model = { openai: 'gpt-4.1', anthropic: 'claude-haiku-4-5', gemini: 'gemini-2.5-flash' }[dialect];
    const { reply, record } = await withRecord(g.gateway, () => send(g.port, { from: OTHER, ...callIn(dialect, model), headers: { 'x-forwarded-email': 'carol@corp.example' } }));
    assertDialectError(reply, dialect, 403, /identity header from an untrusted peer/);
    assert.deepEqual([record.outcome, record.login], ['denied', undefined]);
  }
  // Even an empty header is a claim the peer had no right to make.
  assertDialectError(await callModel(g.port, OTHER, 'gpt-4.1', { headers: { 'x-forwarded-email': '' } }), 'openai', 403, /untrusted peer/);
});

test('without the header, a non-proxy loopback peer is the next source\'s business', async () => {
  const whoami = (await send(g.port, { from: OTHER, path: '/api/whoami' })).json;
  assert.equal(whoami.login, '(loopback)');
});
