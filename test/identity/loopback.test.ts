// The loopback source (development): a caller on this machine is Aperture's `(loopback)` principal,
// which `*` does not match — it must be granted by name. Off by default when a tailnet source is on.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { defaultTailscaleSocket } from '../../src/identity/identity-config.ts';
import { startFakeTailscaled, userNode, type FakeTailscaled } from './fake-tailscaled.ts';
import { ALICE, assertDialectError, callModel, grant, send, startIdentityGateway, withRecord, type IdentityGateway } from './helpers.ts';

let ts: FakeTailscaled;
before(async () => {
  ts = await startFakeTailscaled({ [ALICE]: userNode({ login: 'alice@example.com', displayName: 'Alice', host: 'alice-mbp', tailnetIp: '100.101.102.103' }) });
});
after(() => ts?.close());

describe('loopback granted by name', () => {
  let g: IdentityGateway;
  before(async () => {
    g = await startIdentityGateway(() => ({ identity: { sources: ['loopback'] }, grants: [grant(['(loopback)'], { role: 'user' }, { models: 'openai/**' })] }));
  });
  after(() => g?.close());

  test('a loopback caller is (loopback); any 127.x address is loopback', async () => {
    for (const from of ['127.0.0.1', '127.0.0.2', '127.1.2.3']) {
      const { reply, record } = await withRecord(g.gateway, () => callModel(g.port, from, 'gpt-4.1'));
      assert.equal(reply.status, 200, reply.text);
      assert.deepEqual([record.login, record.identitySource, record.node, record.tags], ['(loopback)', 'loopback', undefined, undefined]);
    }
    const whoami = (await send(g.port, { from: '127.0.0.1', path: '/api/whoami' })).json;
    assert.deepEqual([whoami.login, whoami.kind, whoami.role], ['(loopback)', 'loopback', 'user']);
  });

  test('the grant still limits the models', async () => {
    assertDialectError(await callModel(g.port, '127.0.0.1', 'claude-haiku-4-5'), 'anthropic', 403, /not granted/);
  });
});

describe('`*` does not match loopback', () => {
  let g: IdentityGateway;
  before(async () => {
    g = await startIdentityGateway(() => ({
      identity: { sources: ['tailscale', 'loopback'], tailscale: { socket: ts.socket } },
      grants: [grant(['*'], { role: 'admin' }, { models: '**' })],
    }));
  });
  after(() => g?.close());

  test('a tailnet user matches `*`; a loopback caller (whois 404 → loopback source) does not', async () => {
    assert.equal((await callModel(g.port, ALICE, 'gpt-4.1')).status, 200);
    const { reply, record } = await withRecord(g.gateway, () => callModel(g.port, '127.0.0.1', 'gpt-4.1'));
    assertDialectError(reply, 'openai', 403, /^access denied: no role granted$/);
    assert.deepEqual([record.login, record.identitySource, record.outcome], ['(loopback)', 'loopback', 'denied']);
    assertDialectError(await send(g.port, { from: '127.0.0.1', path: '/v1/models' }), 'openai', 403, /no role granted/);
  });
});

describe('defaults', () => {
  test('without identity.sources and with a tailscaled socket, tailscale is the only source (loopback off)', async () => {
    const g = await startIdentityGateway(() => ({
      identity: { tailscale: { socket: ts.socket } },
      grants: [grant(['*', '(loopback)'], { role: 'admin' }, { models: '**' })],
    }));
    try {
      assert.equal((await callModel(g.port, ALICE, 'gpt-4.1')).status, 200);
      assertDialectError(await callModel(g.port, '127.0.0.1', 'gpt-4.1'), 'openai', 403, /caller not identified \(not a tailnet peer\)/);
    } finally {
      await g.close();
    }
  });

  test('without an identity key and without a tailscaled socket, loopback is the source', { skip: existsSync(defaultTailscaleSocket) && 'a real tailscaled socket exists here' }, async () => {
    const g = await startIdentityGateway(() => ({ grants: [grant(['(loopback)'], { role: 'admin' }, { models: '**' })] }));
    try {
      const whoami = (await send(g.port, { from: '127.0.0.1', path: '/api/whoami' })).json;
      assert.deepEqual([whoami.login, whoami.role], ['(loopback)', 'admin']);
    } finally {
      await g.close();
    }
  });
});
