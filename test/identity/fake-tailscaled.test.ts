// The fake tailscaled behaves like the real LocalAPI (tailscale-identity.md §1.1–§1.3, §5 step 2), and
// the gateway's own LocalAPI client talks to it correctly. If these pass, the end-to-end tests that
// rely on the fake test the gateway against something real-shaped.
import assert from 'node:assert/strict';
import { writeFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { LocalApiError, localApiGet, whois, whoisAddress } from '../../src/identity/localapi-client.ts';
import { marshal, rawLocalApiGet, startFakeTailscaled, taggedNode, userNode, int64, type FakeTailscaled } from './fake-tailscaled.ts';

let ts: FakeTailscaled;
before(async () => {
  ts = await startFakeTailscaled({
    '127.0.0.2': userNode({ login: 'alice@example.com', displayName: 'Alice Smith', host: 'alice-mbp', tailnetIp: '100.101.102.103', nodeId: '9007199254740993' }),
    '127.0.0.4': taggedNode({ tags: ['tag:prod', 'tag:ci'], host: 'ci-runner-7', tailnetIp: '100.88.1.7' }),
    '127.0.0.1:41000': userNode({ login: 'bob@example.com', displayName: 'Bob Jones', host: 'bob-linux', tailnetIp: '100.64.0.9', os: 'linux' }),
  });
});
after(() => ts.close());

const good = { host: 'local-tailscaled.sock' };

test('the socket lives in a short temp dir (sun_path is 108 bytes)', () => {
  assert.ok(Buffer.byteLength(ts.socket) < 108, ts.socket);
  assert.match(ts.socket, /^\/tmp\/ts-\w+\/tailscaled\.sock$/);
});

test("Node's default Host (localhost) is refused like tailscaled refuses it", async () => {
  const reply = await rawLocalApiGet(ts.socket, '/localapi/v0/whois?addr=127.0.0.2:1', {}); // node sends Host: localhost
  assert.equal(reply.status, 403);
  assert.equal(reply.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(reply.body, 'invalid localapi request\n');
  for (const host of ['127.0.0.1:41112', 'evil.example', 'local-tailscaled.sock.evil']) {
    assert.equal((await rawLocalApiGet(ts.socket, '/localapi/v0/whois?addr=127.0.0.2:1', { host })).status, 403, host);
  }
});

test('an Origin or Referer header is refused even with the right Host (browser requests)', async () => {
  for (const extra of [{ origin: 'http://evil.example' }, { referer: 'http://evil.example/page' }] as Record<string, string>[]) {
    const reply = await rawLocalApiGet(ts.socket, '/localapi/v0/whois?addr=127.0.0.2:1', { ...good, ...extra });
    assert.equal(reply.status, 403);
    assert.equal(reply.body, 'invalid localapi request\n');
  }
});

test("a missing or invalid addr is a 400 with Go's text body", async () => {
  let reply = await rawLocalApiGet(ts.socket, '/localapi/v0/whois', good);
  assert.deepEqual([reply.status, reply.body], [400, "missing 'addr' parameter\n"]);
  reply = await rawLocalApiGet(ts.socket, '/localapi/v0/whois?addr=not-an-ip', good);
  assert.deepEqual([reply.status, reply.body], [400, "invalid 'addr' parameter\n"]);
});

test('an unknown peer is a text/plain 404 "no match for IP:port"', async () => {
  const reply = await rawLocalApiGet(ts.socket, '/localapi/v0/whois?addr=127.0.0.99:5000', good);
  assert.equal(reply.status, 404);
  assert.equal(reply.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(reply.body, 'no match for IP:port\n');
});

test('a user node answers with tab-indented, real-shaped WhoIsResponse JSON, found by IP for any port', async () => {
  const reply = await rawLocalApiGet(ts.socket, `/localapi/v0/whois?addr=${encodeURIComponent('127.0.0.2:51234')}`, good);
  assert.equal(reply.status, 200);
  assert.equal(reply.headers['content-type'], 'application/json');
  assert.equal(reply.headers['tailscale-cap'], '145');
  assert.match(reply.body, /^\{\n\t"Node": \{\n\t\t"ID": 9007199254740993,\n/, 'Go MarshalIndent with tabs, int64 ID as a bare number');
  assert.equal(JSON.parse(reply.body).Node.ID, 2 ** 53, 'one above 2^53: a plain JSON.parse silently rounds it');
  const parsed = JSON.parse(reply.body);
  assert.deepEqual(Object.keys(parsed), ['Node', 'UserProfile', 'CapMap']);
  assert.equal(parsed.CapMap, null, 'CapMap has no omitempty: null when there are no caps');
  assert.equal('Tags' in parsed.Node, false, 'user nodes have no Tags key (omitempty)');
  assert.match(parsed.Node.Name, /^alice-mbp\.tail1234\.ts\.net\.$/, 'MagicDNS FQDN with a trailing dot');
  assert.match(parsed.Node.StableID, /CNTRL$/);
  assert.match(parsed.Node.Key, /^nodekey:[0-9a-f]{64}$/);
  assert.deepEqual(parsed.Node.Addresses[0], '100.101.102.103/32');
  assert.equal(parsed.Node.ComputedName, 'alice-mbp');
  assert.equal(parsed.Node.Hostinfo.OS, 'macOS');
  assert.deepEqual(Object.keys(parsed.UserProfile), ['ID', 'LoginName', 'DisplayName', 'ProfilePicURL']);
  assert.equal(parsed.UserProfile.LoginName, 'alice@example.com');
});

test('an ip:port entry (userspace ProxyMapper) matches only that port', async () => {
  assert.equal((await rawLocalApiGet(ts.socket, '/localapi/v0/whois?addr=127.0.0.1:41000', good)).status, 200);
  assert.equal((await rawLocalApiGet(ts.socket, '/localapi/v0/whois?addr=127.0.0.1:41001', good)).status, 404);
});

test('a tagged node is owned by tagged-devices and keeps the tag order control sent', async () => {
  const parsed = JSON.parse((await rawLocalApiGet(ts.socket, '/localapi/v0/whois?addr=127.0.0.4:9', good)).body);
  assert.deepEqual(parsed.Node.Tags, ['tag:prod', 'tag:ci']);
  assert.equal(parsed.UserProfile.LoginName, 'tagged-devices');
  assert.equal(parsed.UserProfile.DisplayName, 'Tagged Devices');
});

test('marshal writes int64 markers as bare digits and leaves look-alike strings alone', () => {
  assert.equal(marshal({ ID: int64('12345678901234567890'), S: 'int64' }), '{\n\t"ID": 12345678901234567890,\n\t"S": "int64"\n}');
});

test("the gateway's LocalAPI client sends Host: local-tailscaled.sock and parses int64 IDs without losing digits", async () => {
  const before = ts.requests.length;
  const response = await whois(ts.socket, whoisAddress('127.0.0.2', 51234), 1000);
  assert.equal(ts.requests[before].host, 'local-tailscaled.sock');
  assert.equal(ts.requests[before].addr, '127.0.0.2:51234');
  assert.equal(response?.UserProfile?.LoginName, 'alice@example.com');
  assert.equal((response?.Node as Record<string, unknown>).ID, '9007199254740993', 'kept as an exact string');
  assert.equal(await whois(ts.socket, '127.0.0.99:1', 1000), null, '404 is "not a tailnet peer"');
});

test('whoisAddress brackets IPv6 and leaves a bare forwarded IP alone', () => {
  assert.equal(whoisAddress('100.64.0.1', 443), '100.64.0.1:443');
  assert.equal(whoisAddress('fd7a:115c:a1e0::1', 443), '[fd7a:115c:a1e0::1]:443');
  assert.equal(whoisAddress('100.64.0.1'), '100.64.0.1');
});

test('the client turns every way tailscaled can fail into a LocalApiError', async () => {
  try {
    ts.setMode({ kind: 'garbage' });
    await assert.rejects(whois(ts.socket, '127.0.0.2:1', 1000), (error: Error) => error instanceof LocalApiError && /not JSON/.test(error.message));
    ts.setMode({ kind: 'status', status: 500, body: 'server has no local backend\n' });
    await assert.rejects(whois(ts.socket, '127.0.0.2:1', 1000), (error: Error) => error instanceof LocalApiError && /500: server has no local backend/.test(error.message));
    ts.setMode({ kind: 'slow', delayMs: 500 });
    const started = Date.now();
    await assert.rejects(whois(ts.socket, '127.0.0.2:1', 50), (error: Error) => error instanceof LocalApiError && /did not answer in time/.test(error.message));
    assert.ok(Date.now() - started < 400, 'the deadline is kept');
    ts.setMode({ kind: 'hang' });
    await assert.rejects(whois(ts.socket, '127.0.0.2:1', 50), /did not answer in time/);
  } finally {
    ts.setMode({ kind: 'normal' });
  }
  await assert.rejects(whois(join(dirname(ts.socket), 'missing.sock'), '127.0.0.2:1', 1000), (error: Error) => error instanceof LocalApiError && /unreachable \(ENOENT\)/.test(error.message));
  // A stale socket file with nobody listening: ECONNREFUSED.
  const stale = join(dirname(ts.socket), 'stale.sock');
  writeFileSync(stale, '');
  try {
    await assert.rejects(localApiGet(stale, '/localapi/v0/whois?addr=1.2.3.4', 1000), (error: Error) => error instanceof LocalApiError && /unreachable/.test(error.message));
  } finally {
    rmSync(stale, { force: true });
  }
});

test('the fake counts whois requests per peer', async () => {
  const before = ts.whoisCount('127.0.0.4');
  await whois(ts.socket, '127.0.0.4:1000', 1000);
  await whois(ts.socket, '127.0.0.4:1001', 1000);
  assert.equal(ts.whoisCount('127.0.0.4') - before, 2);
  assert.equal(ts.whoisCount('127.0.0.4:1000') >= 1, true);
});
