// Pure unit tests of the identity sources: whois JSON → Identity, serve headers, proxy CIDRs, loopback,
// and the resolver's order. No sockets; whois is injected. End-to-end tests are in test/identity/.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLoopback, normalizeAddress, type RequestView, type SourceResult } from './identity.ts';
import { createLoopbackSource } from './loopback-source.ts';
import { createProxySource } from './proxy-source.ts';
import { createIdentityResolver } from './resolver.ts';
import { createServeSource, decodeQ } from './serve-source.ts';
import { identityFromWhois } from './tailscale-source.ts';
import type { WhoIsResponse } from './localapi-client.ts';

const view = (address: string, headers: Record<string, string> = {}, port = 40000): RequestView => ({
  peer: { address, port },
  header: (name) => headers[name],
});

test('a user node: login, display name, node name/StableID/OS, no tags', () => {
  const identity = identityFromWhois(
    {
      Node: { StableID: 'nAbC1CNTRL', Name: 'alice-mbp.tail1234.ts.net.', ComputedName: 'alice-mbp', Hostinfo: { OS: 'macOS' } },
      UserProfile: { LoginName: 'alice@example.com', DisplayName: 'Alice Smith' },
      CapMap: null,
    },
    'tailscale',
  );
  assert.deepEqual(identity, {
    source: 'tailscale',
    groups: [],
    node: { name: 'alice-mbp.tail1234.ts.net.', stableId: 'nAbC1CNTRL', os: 'macOS' },
    capMap: {},
    login: 'alice@example.com',
    kind: 'user',
    displayName: 'Alice Smith',
    tags: [],
  });
});

test('a tagged node: tags sorted and comma-joined (Aperture), whatever order control sent', () => {
  const identity = identityFromWhois(
    { Node: { StableID: 'nCi42CNTRL', Name: 'ci-runner-7.tail1234.ts.net.', Tags: ['tag:prod', 'tag:ci', 'tag:api'] }, UserProfile: { LoginName: 'tagged-devices', DisplayName: 'Tagged Devices' }, CapMap: null },
    'tailscale',
  );
  assert.equal(identity?.login, 'tag:api,tag:ci,tag:prod');
  assert.equal(identity?.kind, 'tagged');
  assert.deepEqual(identity?.tags, ['tag:api', 'tag:ci', 'tag:prod']);
  assert.equal(identity?.displayName, undefined, '"Tagged Devices" is not a name');
});

test('a device with neither a user profile nor tags cannot be identified', () => {
  assert.equal(identityFromWhois({ Node: { StableID: 'n1', Tags: [] }, UserProfile: { LoginName: 'tagged-devices' }, CapMap: null }, 'tailscale'), undefined);
  assert.equal(identityFromWhois({ Node: { StableID: 'n1', Tags: null }, UserProfile: {}, CapMap: null }, 'tailscale'), undefined);
  assert.equal(identityFromWhois({}, 'tailscale'), undefined);
});

test('CapMap: null, a null value, and several entries kept in order for merging', () => {
  const capMap = { 'tailscale.com/cap/aperture': [{ role: 'user' }, { models: 'anthropic/**' }], 'example.com/cap/x': null };
  const identity = identityFromWhois({ Node: { StableID: 'n1' }, UserProfile: { LoginName: 'a@x' }, CapMap: capMap }, 'tailscale');
  assert.deepEqual(identity?.capMap, { 'tailscale.com/cap/aperture': [{ role: 'user' }, { models: 'anthropic/**' }], 'example.com/cap/x': [] });
});

test('lenient parsing: unknown fields, legacy Roles: [], a shared-in node, non-ASCII names, visible groups', () => {
  const response = {
    Node: { StableID: 'nShared1', Name: 'laptop.other-tailnet.ts.net.', Sharer: '9007199254740993', Hostinfo: { OS: 'linux', ShareeNode: true }, SomethingNew: { x: 1 } },
    UserProfile: { LoginName: 'rené@example.com', DisplayName: 'René Dupont', Roles: [], Groups: ['group:eng'] },
    CapMap: null,
    Extra: true,
  } as WhoIsResponse;
  const identity = identityFromWhois(response, 'serve');
  assert.deepEqual([identity?.login, identity?.displayName, identity?.source, identity?.groups], ['rené@example.com', 'René Dupont', 'serve', ['group:eng']]);
});

test('no StableID → no node on the identity', () => {
  assert.equal(identityFromWhois({ UserProfile: { LoginName: 'a@x' } }, 'tailscale')?.node, undefined);
});

test('addresses: ::ffff: is unmapped; all of 127/8 and ::1 are loopback, nothing else', () => {
  assert.equal(normalizeAddress('::ffff:100.64.0.1'), '100.64.0.1');
  assert.equal(normalizeAddress('fd7a:115c:a1e0::1'), 'fd7a:115c:a1e0::1');
  for (const address of ['127.0.0.1', '127.0.0.2', '127.255.255.254', '::1', '::ffff:127.0.0.1']) assert.equal(isLoopback(address), true, address);
  for (const address of ['100.64.0.1', '128.0.0.1', '::ffff:10.0.0.1', '::', '0.0.0.0', 'fe80::1', '', '1.127.0.0']) assert.equal(isLoopback(address), false, address);
});

test('RFC 2047 Q-decoding of serve headers', () => {
  assert.equal(decodeQ('alice@example.com'), 'alice@example.com');
  assert.equal(decodeQ('=?utf-8?q?Ren=C3=A9_Dupont?='), 'René Dupont');
  assert.equal(decodeQ('=?UTF-8?Q?=E5=B1=B1=E7=94=B0?='), '山田');
  assert.equal(decodeQ('=?utf-8?q?a=ZZb?='), 'a=ZZb', 'a broken escape is kept literally');
});

test('serve: headers only from loopback; from anyone else their presence is a spoof', async () => {
  const lookups: string[] = [];
  const whois = async (address: string): Promise<SourceResult> => {
    lookups.push(address);
    if (address === '100.88.1.7') return { type: 'identified', identity: { login: 'tag:ci', kind: 'tagged', source: 'tailscale', tags: ['tag:ci'], groups: [], capMap: {} } };
    if (address === '100.99.0.1') return { type: 'refused', status: 503, message: 'identity service unavailable' };
    return { type: 'pass', reason: 'not a tailnet peer' };
  };
  const serve = createServeSource(whois);
  for (const header of ['tailscale-user-login', 'tailscale-user-name', 'tailscale-app-capabilities', 'tailscale-funnel-request', 'x-forwarded-for']) {
    assert.deepEqual(await serve.resolve(view('100.64.0.5', { [header]: 'x' })), { type: 'refused', status: 403, message: 'access denied: identity headers from an untrusted peer' }, header);
  }
  assert.equal((await serve.resolve(view('100.64.0.5'))).type, 'pass');
  assert.equal((await serve.resolve(view('127.0.0.1'))).type, 'pass');

  const user = await serve.resolve(view('::ffff:127.0.0.1', { 'tailscale-user-login': 'a@x', 'tailscale-app-capabilities': '{"tailscale.com/cap/aperture":[{"role":"user"}],"bad":3}' }));
  assert.equal(user.type, 'identified');
  if (user.type === 'identified') assert.deepEqual(user.identity.capMap, { 'tailscale.com/cap/aperture': [{ role: 'user' }], bad: [] });
  const badCaps = await serve.resolve(view('127.0.0.1', { 'tailscale-user-login': 'a@x', 'tailscale-app-capabilities': '{not json' }));
  assert.deepEqual(badCaps.type === 'identified' && badCaps.identity.capMap, {});

  const ci = await serve.resolve(view('127.0.0.1', { 'x-forwarded-for': ' 100.88.1.7 ' }));
  assert.equal(ci.type === 'identified' && ci.identity.source, 'serve');
  assert.deepEqual(await serve.resolve(view('127.0.0.1', { 'x-forwarded-for': '100.64.9.9' })), { type: 'refused', status: 403, message: 'access denied: not a tailnet peer' });
  assert.deepEqual(await serve.resolve(view('127.0.0.1', { 'x-forwarded-for': '100.99.0.1' })), { type: 'refused', status: 503, message: 'identity service unavailable' });
  assert.equal((await serve.resolve(view('127.0.0.1', { 'x-forwarded-for': 'fd7a:115c:a1e0::7' }))).type, 'refused');
  assert.deepEqual(lookups, ['100.88.1.7', '100.64.9.9', '100.99.0.1', 'fd7a:115c:a1e0::7']);
});

test('proxy: CIDRs (v4, v6, bare address, ::ffff: peers); a header from elsewhere is refused', () => {
  const proxy = createProxySource({ cidrs: ['10.0.0.0/8', 'fd00::/64', '192.0.2.7'], loginHeader: 'x-forwarded-email', groupsHeader: 'x-forwarded-groups' });
  const claim = { 'x-forwarded-email': ' alice@example.com ', 'x-forwarded-groups': 'group:a|group:b, group:c,' };
  for (const address of ['10.1.2.3', '::ffff:10.1.2.3', 'fd00::2', '192.0.2.7']) {
    const result = proxy.resolve(view(address, claim)) as SourceResult;
    assert.equal(result.type, 'identified', address);
    if (result.type === 'identified') assert.deepEqual([result.identity.login, result.identity.groups], ['alice@example.com', ['group:a', 'group:b', 'group:c']]);
  }
  for (const address of ['11.0.0.1', '192.0.2.8', 'fd01::2', '127.0.0.1']) assert.equal((proxy.resolve(view(address, claim)) as SourceResult).type, 'refused', address);
  assert.equal((proxy.resolve(view('11.0.0.1')) as SourceResult).type, 'pass');
  assert.equal((proxy.resolve(view('10.0.0.1', { 'x-forwarded-email': '  ' })) as SourceResult).type, 'pass', 'the proxy sent no identity');
});

test('loopback: identifies only loopback peers', () => {
  const source = createLoopbackSource();
  assert.equal((source.resolve(view('127.0.0.1')) as SourceResult).type, 'identified');
  assert.equal((source.resolve(view('::1')) as SourceResult).type, 'identified');
  assert.equal((source.resolve(view('100.64.0.1')) as SourceResult).type, 'pass');
});

test('resolver: configured order; the first source that identifies or refuses decides', async () => {
  const tailscale = { socket: '/nonexistent/tailscaled.sock', capability: 'tailscale.com/cap/aperture', timeoutMs: 100, cacheMs: 1000 };
  const proxy = { cidrs: ['127.0.0.5/32'], loginHeader: 'x-forwarded-email' };
  const proxyFirst = createIdentityResolver({ sources: ['proxy', 'loopback'], tailscale, oidc: [], proxy });
  const loopbackFirst = createIdentityResolver({ sources: ['loopback', 'proxy'], tailscale, oidc: [], proxy });
  const fromProxy = view('127.0.0.5', { 'x-forwarded-email': 'a@x' });
  assert.deepEqual(await proxyFirst.resolve(fromProxy).then((r) => r.ok && r.identity.login), 'a@x');
  assert.deepEqual(await loopbackFirst.resolve(fromProxy).then((r) => r.ok && r.identity.login), '(loopback)');
  assert.deepEqual(await proxyFirst.resolve(view('127.0.0.6', { 'x-forwarded-email': 'a@x' })), { ok: false, status: 403, message: 'access denied: identity header from an untrusted peer' });
  assert.deepEqual(await createIdentityResolver({ sources: [], tailscale, oidc: [] }).resolve(view('127.0.0.1')), {
    ok: false,
    status: 403,
    message: 'access denied: caller not identified (no identity source is configured)',
  });
  assert.deepEqual(await createIdentityResolver({ sources: ['tailscale'], tailscale, oidc: [] }).resolve(view('127.0.0.1')), { ok: false, status: 503, message: 'identity service unavailable' });
});
