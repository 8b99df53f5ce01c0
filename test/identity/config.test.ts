// The `identity` and `groups` config keys: defaults, warnings, and how a config with mistakes in them
// is treated (a bad value must become a config problem, never a crash or a wider trust than written).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfigObject } from '../../src/config/load.ts';
import { validateConfig } from '../../src/config/validate.ts';
import { createGateway } from '../../src/server.ts';
import { createProxySource } from '../../src/identity/proxy-source.ts';
import { cap, grant } from './helpers.ts';

const providers = { openai: { baseurl: 'http://127.0.0.1:9', apikey: 'sk-x', models: ['gpt-4.1'] } };
const admin = [grant(['*'], { role: 'admin' }, { models: '**' })];

function load(identity: unknown, extra: Record<string, unknown> = {}) {
  const { config, problems } = validateConfig({ providers, grants: admin, identity, ...extra }, { defaultDataDir: '/tmp/tailgate-test', socketExists: (path) => path === '/run/exists.sock' });
  return { identity: config.identity, config, warnings: problems.map((problem) => problem.message) };
}

test('defaults: tailscaled socket, aperture capability, 2 s timeout, 60 s cache', () => {
  const { identity } = load(undefined);
  assert.deepEqual(identity.tailscale, { socket: '/var/run/tailscale/tailscaled.sock', capability: cap, timeoutMs: 2000, cacheMs: 60_000 });
  assert.deepEqual(identity.sources, ['loopback'], 'no socket here: loopback (development)');
  assert.deepEqual(load({ tailscale: { socket: '/run/exists.sock' } }).identity.sources, ['tailscale'], 'a socket: tailscale only, loopback off');
});

test('sources keep their configured order; unknown ones are warned about and dropped', () => {
  const { identity, warnings } = load({ sources: ['oidc', 'proxy', 'kerberos', 'tailscale', 'serve', 'loopback'], oidc: { issuers: [{ issuer: 'https://i', audience: 'a', jwks_url: 'http://127.0.0.1/jwks' }] }, proxy: { cidrs: ['10.0.0.0/8'] } });
  assert.deepEqual(identity.sources, ['oidc', 'proxy', 'tailscale', 'serve', 'loopback']);
  assert.ok(warnings.some((warning) => warning.includes('identity.sources has unknown source "kerberos"')), warnings.join('\n'));
});

test('warnings: unknown identity key, oidc on without issuers, an incomplete issuer, proxy on without CIDRs, a bad group name', () => {
  const { identity, warnings } = load(
    { sources: ['oidc', 'proxy'], sockets: 1, oidc: { issuers: [{ issuer: 'https://i', audience: 'a' }, { issuer: 'https://j', audience: 'a', jwks_url: 'not a url' }] } },
    { groups: { eng: ['alice@example.com'], 'group:ok': ['bob@example.com'] } },
  );
  const expect = ['unknown config key "identity.sockets"', 'identity.oidc.issuers[0] needs', 'identity.oidc.issuers[1] needs', 'identity source "oidc" is on but identity.oidc.issuers lists no issuer', 'identity source "proxy" is on but identity.proxy.cidrs is empty', 'groups entry "eng" must be named "group:…"'];
  for (const text of expect) assert.ok(warnings.some((warning) => warning.includes(text)), `${text}\n-- got:\n${warnings.join('\n')}`);
  assert.deepEqual(identity.oidc, []);
});

test('the proxy header names are case-insensitive (node lowercases incoming header names)', () => {
  const { identity } = load({ sources: ['proxy'], proxy: { cidrs: ['10.0.0.0/8'], login_header: 'X-Auth-Request-Email', groups_header: 'X-Auth-Request-Groups' } });
  assert.deepEqual(identity.proxy, { cidrs: ['10.0.0.0/8'], loginHeader: 'x-auth-request-email', groupsHeader: 'x-auth-request-groups' });
});

test('Aperture grant warnings: providers but no grants, no admin grant', () => {
  const none = loadConfigObject({ providers, identity: { sources: ['loopback'] } }, {}).problems.map((problem) => problem.message);
  assert.ok(none.some((warning) => /no grants or temp_grants defined; all access will be denied/.test(warning)), none.join('\n'));
  const users = loadConfigObject({ providers, identity: { sources: ['loopback'] }, grants: [grant(['*'], { role: 'user' })] }, {}).problems.map((problem) => problem.message);
  assert.ok(users.some((warning) => /no grant .* assigns role:admin/.test(warning)), users.join('\n'));
});

test(
  'a malformed proxy CIDR is a config problem, not a crash when the gateway is built (or reloaded)',

  async () => {
    for (const cidrs of [['10.0.0.0/33'], ['not-an-ip/8'], ['10.0.0.0/8x']]) {
      const loaded = loadConfigObject({ providers, grants: admin, identity: { sources: ['proxy'], proxy: { cidrs } } }, {});
      const flagged = !loaded.config || loaded.problems.some((problem) => problem.message.includes('cidr'));
      assert.ok(flagged, `${cidrs[0]} was accepted without a problem`);
      if (loaded.config) await assert.doesNotReject(async () => (await createGateway(loaded.config!, { record: async () => {} })).close(), `${cidrs[0]} crashes createGateway`);
    }
  },
);

test(
  'a CIDR with an empty prefix ("10.0.0.1/") does not trust every address',

  () => {
    const source = createProxySource({ cidrs: ['10.0.0.1/'], loginHeader: 'x-forwarded-email' });
    const result = source.resolve({ peer: { address: '203.0.113.9', port: 40000 }, header: (name) => (name === 'x-forwarded-email' ? 'alice@example.com' : undefined) });
    assert.notEqual((result as { type: string }).type, 'identified', 'a peer far outside 10.0.0.1 was trusted as the proxy');
  },
);
