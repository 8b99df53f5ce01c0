// The config-edit API (PUT /api/config and friends): validation with warnings as errors, the lockout
// guard, optimistic concurrency, history and restore, write-only secrets, and that a save takes effect
// at once. Identities come from a trusted proxy header (this test is the proxy).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SECRET_PLACEHOLDER } from '../../src/admin/config-text.ts';
import { startGateway, type StartedGateway } from '../../src/server.ts';
import { keys, providersFor } from '../e2e/harness.ts';
import { startFakeUpstream, type FakeUpstream } from '../fake-upstream/fake-upstream.ts';

const cap = 'tailscale.com/cap/aperture';
const ROOT = 'root@example.com';
const ALICE = 'alice@example.com';

let fake: FakeUpstream;
let gateway: StartedGateway;
let dir: string;
let file: string;

function configText(fakeUrl: string, dataDir: string): string {
  const document = {
    providers: providersFor(fakeUrl),
    identity: { sources: ['proxy'], proxy: { cidrs: ['127.0.0.1/32', '::1/128'], login_header: 'x-forwarded-email' } },
    grants: [
      { src: [ROOT], app: { [cap]: [{ role: 'admin' }, { models: '**' }] } },
      { src: [ALICE], app: { [cap]: [{ role: 'user' }, { models: 'openai/**' }] } },
    ],
    data_dir: dataDir,
  };
  // A comment, to check that edits keep the admin's text as written.
  return `// Tailgate test config\n${JSON.stringify(document, null, 2)}\n`;
}

before(async () => {
  fake = await startFakeUpstream();
  dir = await mkdtemp(join(tmpdir(), 'tailgate-config-api-'));
  file = join(dir, 'tailgate.hujson');
  await writeFile(file, configText(fake.url, dir));
  gateway = await startGateway({ config: file, env: {}, durable: true });
});
after(async () => {
  await gateway.close();
  await fake.close();
});

type Json = Record<string, any>;
async function request(method: string, path: string, login: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Json; text: string }> {
  const response = await fetch(`${gateway.url}${path}`, {
    method,
    headers: { 'x-forwarded-email': login, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: Json = {};
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: response.status, json, text };
}
const getConfig = () => request('GET', '/api/config', ROOT);
const put = (text: string, version: string, login = ROOT) => request('PUT', '/api/config', login, { text, version });

function assertNoKeys(text: string, where: string): void {
  for (const key of Object.values(keys)) assert.ok(!text.includes(key), `a provider key appeared in ${where}`);
}

/** The text with one JSON-ish substring replaced, failing loudly if it is not there. */
function edit(text: string, from: string, to: string): string {
  assert.ok(text.includes(from), `expected ${JSON.stringify(from)} in the config text`);
  return text.replace(from, to);
}

test('GET /api/config returns the text with every key replaced, and a version', async () => {
  const { status, json, text } = await getConfig();
  assert.equal(status, 200);
  assertNoKeys(text, 'GET /api/config');
  assert.equal(json.placeholder, SECRET_PLACEHOLDER);
  assert.equal((json.text.match(new RegExp(SECRET_PLACEHOLDER.replace(/[()]/g, '\\$&'), 'g')) ?? []).length, 3, 'one placeholder per provider key');
  assert.match(json.text, /^\/\/ Tailgate test config/, 'comments are kept');
  assert.match(json.version, /^[0-9a-f]{32}$/);
  assert.equal(json.source, 'file');
});

test('admin routes refuse a user before anything else, and refuse cross-site writes', async () => {
  for (const [method, path] of [['GET', '/api/config'], ['PUT', '/api/config'], ['POST', '/api/config/validate'], ['POST', '/api/config:validate'], ['GET', '/api/config/history'], ['POST', '/api/config/history/x/restore'], ['GET', '/api/providers'], ['POST', '/api/access/check']]) {
    const reply = await request(method, path, ALICE, method === 'GET' ? undefined : { text: '{}' });
    assert.equal(reply.status, 403, `${method} ${path} as a user`);
    assertNoKeys(reply.text, `${method} ${path}`);
  }
  const { json } = await getConfig();
  const plain = await request('PUT', '/api/config', ROOT, JSON.stringify({ text: json.text, version: json.version }), { 'content-type': 'text/plain' });
  assert.equal(plain.status, 415, 'a form-like content type is refused (no CORS-free cross-site write)');
  const crossSite = await request('PUT', '/api/config', ROOT, { text: json.text, version: json.version }, { origin: 'http://evil.example' });
  assert.equal(crossSite.status, 403);
  assert.equal((await getConfig()).json.version, json.version, 'nothing was saved');
});

test('validation: errors and warnings are reported, and on save warnings are errors too', async () => {
  const { json } = await getConfig();
  const broken = await request('POST', '/api/config/validate', ROOT, { text: '{ "providers": ' });
  assert.equal(broken.json.valid, false);
  assert.match(broken.json.problems[0].message, /parse error/);
  const typo = edit(json.text, '"authorization": "x-api-key"', '"authorization": "x-api-key",\n      "basurl": "oops"');
  const validated = await request('POST', '/api/config/validate', ROOT, { text: typo });
  assert.equal(validated.json.valid, false);
  assert.deepEqual(
    validated.json.problems.map((p: Json) => [p.severity, p.message]),
    [['warning', 'unknown config key "providers.anthropic.basurl"']],
  );
  const saved = await put(typo, json.version);
  assert.equal(saved.status, 422, 'a warning blocks a save (aperture.md §2.1)');
  assert.match(saved.json.problems[0].message, /basurl/);
  const missingEnv = await put(edit(json.text, '"gpt-5",', '"${NO_SUCH_VARIABLE}",'), json.version);
  assert.equal(missingEnv.status, 422);
  assert.match(missingEnv.json.problems[0].message, /unsubstituted macros: \[NO_SUCH_VARIABLE\]/);
  for (const empty of ['', '   ', '// nothing\n', '{}', '{ /* empty */ }']) {
    const reply = await put(empty, json.version);
    assert.equal(reply.status, 422, `empty config ${JSON.stringify(empty)}`);
    assert.equal(reply.json.problems[0].message, 'config must not be empty');
  }
  const valid = await request('POST', '/api/config/validate', ROOT, { text: json.text });
  assert.deepEqual(valid.json, { valid: true, problems: [] });
  assert.equal((await getConfig()).json.version, json.version, 'nothing was saved');
});

test('lockout guard: a save that removes the saver’s own admin role is refused', async () => {
  const { json } = await getConfig();
  const demoted = edit(json.text, '"role": "admin"', '"role": "user"');
  const reply = await put(demoted, json.version);
  assert.equal(reply.status, 422);
  assert.ok(reply.json.problems.some((p: Json) => /removes your own admin role \(root@example\.com\)/.test(p.message)), JSON.stringify(reply.json.problems));
  // Moving the admin role to a group the saver is in is fine; handing it to someone else only is not.
  const elsewhere = edit(json.text, `"src": [\n        "${ROOT}"\n      ]`, `"src": [\n        "someone-else@example.com"\n      ]`);
  assert.equal((await put(elsewhere, json.version)).status, 422);
  assert.equal((await getConfig()).json.version, json.version);
});

test('concurrent edits: of two saves based on the same version, the second is refused with 409', async () => {
  const { json } = await getConfig();
  const first = edit(json.text, '"gemini-2.5-pro"', '"gemini-2.5-pro", "gemini-2.0-flash"');
  const second = edit(json.text, '"claude-haiku-4-5"', '"claude-haiku-4-5", "claude-opus-4-5"');
  const replies = await Promise.all([put(first, json.version), put(second, json.version)]);
  assert.deepEqual(replies.map((r) => r.status).sort(), [200, 409]);
  const conflict = replies.find((r) => r.status === 409)!;
  assert.match(conflict.json.error.message, /changed since you loaded it/);
  const now = await getConfig();
  assert.equal(conflict.json.version, now.json.version, 'the 409 names the current version');
  assert.equal(replies.find((r) => r.status === 200)!.json.version, now.json.version);
  // A stale version is refused even much later, and a save without a version is refused too.
  assert.equal((await put(second, json.version)).status, 409);
  assert.equal((await request('PUT', '/api/config', ROOT, { text: now.json.text })).status, 400);
});

test('a save keeps stored keys behind the placeholder, writes the file atomically and applies at once', async () => {
  const { json } = await getConfig();
  // Give alice gemini too, and replace the anthropic key with a new one.
  let text = edit(json.text, '"models": "openai/**"', '"models": ["openai/**", "gemini/**"]');
  const anthropicBlock = text.indexOf('"anthropic"');
  const keyAt = text.indexOf(`"apikey": "${SECRET_PLACEHOLDER}"`, anthropicBlock);
  text = `${text.slice(0, keyAt)}"apikey": "sk-ant-rotated-key"${text.slice(keyAt + `"apikey": "${SECRET_PLACEHOLDER}"`.length)}`;
  const before = await request('POST', '/v1beta/models/gemini-2.5-flash:generateContent', ALICE, { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
  assert.equal(before.status, 403, 'alice may not use gemini yet');
  const saved = await put(text, json.version);
  assert.equal(saved.status, 200, saved.text);
  const onDisk = await readFile(file, 'utf8');
  assert.ok(onDisk.includes(keys.openai) && onDisk.includes(keys.gemini), 'untouched keys are kept in the file');
  assert.ok(onDisk.includes('sk-ant-rotated-key') && !onDisk.includes(keys.anthropic), 'the typed key replaced the stored one');
  assert.ok(!onDisk.includes(SECRET_PLACEHOLDER));
  assert.match(onDisk, /^\/\/ Tailgate test config/);
  assert.deepEqual((await readdir(dir)).filter((name) => name.endsWith('.tmp')), [], 'no temp file left behind');
  // In effect for the very next call, without a restart or waiting for the file watcher.
  const after = await request('POST', '/v1beta/models/gemini-2.5-flash:generateContent', ALICE, { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
  assert.equal(after.status, 200, after.text);
  assert.equal(fake.requests.at(-1)!.headers['x-goog-api-key'], keys.gemini, 'the kept key is the one used upstream');
  await request('POST', '/v1/messages', ROOT, { model: 'claude-haiku-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(fake.requests.at(-1)!.headers['x-api-key'], 'sk-ant-rotated-key');
  assertNoKeys((await getConfig()).text, 'GET /api/config after a save');
  assert.ok(!(await getConfig()).text.includes('sk-ant-rotated-key'));
});

test('a placeholder with no stored secret behind it (a renamed provider) is an error', async () => {
  const { json } = await getConfig();
  const renamed = edit(json.text, '"gemini": {', '"google": {');
  const reply = await put(renamed, json.version);
  assert.equal(reply.status, 422);
  assert.ok(reply.json.problems.some((p: Json) => /providers\.google\.apikey is the placeholder/.test(p.message)));
});

test('history lists who saved what with a redacted diff, and restore brings a version back', async () => {
  const { json: history } = await request('GET', '/api/config/history', ROOT);
  const items = history.items as Json[];
  assert.ok(items.length >= 3, 'initial + two saves');
  assert.equal(items.at(-1)!.action, 'initial');
  assert.equal(items.at(-1)!.login, '(file)');
  assert.equal(items[0].action, 'save');
  assert.equal(items[0].login, ROOT);
  assert.ok(typeof items[0].at === 'number');
  const diffText = JSON.stringify(items);
  assertNoKeys(diffText, 'history');
  assert.ok(!diffText.includes('sk-ant-rotated-key'), 'a changed key is not shown in a diff');
  assert.ok(items[0].diff.some((line: Json) => line.op === '+' && line.text.includes('gemini/**')), 'the diff shows the added grant');
  assert.ok(items[0].diff.some((line: Json) => line.op === '-' && line.text.includes('"models": "openai/**"')));
  assertNoKeys((await request('GET', `/api/config/history/${items.at(-1)!.id}`, ROOT)).text, 'a history text');

  // Restore the original file: alice loses gemini again, the original anthropic key is back.
  const current = await getConfig();
  const stale = await request('POST', `/api/config/history/${items.at(-1)!.id}/restore`, ROOT, { version: 'not-the-version' });
  assert.equal(stale.status, 409);
  const restored = await request('POST', `/api/config/history/${items.at(-1)!.id}/restore`, ROOT, { version: current.json.version });
  assert.equal(restored.status, 200, restored.text);
  assert.equal(await readFile(file, 'utf8'), configText(fake.url, dir));
  const denied = await request('POST', '/v1beta/models/gemini-2.5-flash:generateContent', ALICE, { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
  assert.equal(denied.status, 403);
  const latest = (await request('GET', '/api/config/history', ROOT)).json.items[0];
  assert.equal(latest.action, 'restore');
  assert.equal(latest.restoredFrom, items.at(-1)!.id);
  assert.equal((await request('POST', '/api/config/history/no-such-entry/restore', ROOT, { version: restored.json.version })).status, 404);
});

test('restore goes through the same checks as a save (lockout guard)', async () => {
  // Alice is made admin too; then alice restoring the original (where she is only a user) would lock
  // her out, so it is refused.
  const { json } = await getConfig();
  const withAlice = edit(json.text, `"src": [\n        "${ROOT}"\n      ]`, `"src": [\n        "${ROOT}", "${ALICE}"\n      ]`);
  const saved = await put(withAlice, json.version);
  assert.equal(saved.status, 200, saved.text);
  const initial = (await request('GET', '/api/config/history', ALICE)).json.items.at(-1);
  const refused = await request('POST', `/api/config/history/${initial.id}/restore`, ALICE, { version: saved.json.version });
  assert.equal(refused.status, 422);
  assert.ok(refused.json.problems.some((p: Json) => /removes your own admin role \(alice@example\.com\)/.test(p.message)));
});

test('without a config file, the first save creates one under the data dir', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'tailgate-config-default-'));
  const document = {
    providers: providersFor(fake.url),
    identity: { sources: ['proxy'], proxy: { cidrs: ['127.0.0.1/32'], login_header: 'x-forwarded-email' } },
    grants: [{ src: [ROOT], app: { [cap]: [{ role: 'admin' }, { models: '**' }] } }],
    data_dir: dataDir,
  };
  const plain = await startGateway({ config: document, env: {} });
  try {
    const get = await fetch(`${plain.url}/api/config`, { headers: { 'x-forwarded-email': ROOT } });
    const body = (await get.json()) as Json;
    assert.equal(body.source, 'default');
    assert.equal(body.path, join(dataDir, 'tailgate.hujson'));
    assertNoKeys(JSON.stringify(body), 'GET /api/config (no file)');
    const response = await fetch(`${plain.url}/api/config`, {
      method: 'PUT',
      headers: { 'x-forwarded-email': ROOT, 'content-type': 'application/json' },
      body: JSON.stringify({ text: body.text.replace('"gpt-5",', '"gpt-5", "gpt-5-mini",'), version: body.version }),
    });
    assert.equal(response.status, 200, await response.clone().text());
    const written = await readFile(join(dataDir, 'tailgate.hujson'), 'utf8');
    assert.ok(written.includes('gpt-5-mini') && written.includes(keys.openai), 'the file holds the real keys');
    assert.ok(existsSync(join(dataDir, 'config-history', 'history.jsonl')));
    const again = (await (await fetch(`${plain.url}/api/config`, { headers: { 'x-forwarded-email': ROOT } })).json()) as Json;
    assert.equal(again.source, 'file');
  } finally {
    await plain.close();
  }
});

test('GET /api/providers and the access check say what they must and never a key', async () => {
  const providers = await request('GET', '/api/providers', ROOT);
  assert.equal(providers.status, 200);
  assertNoKeys(providers.text, '/api/providers');
  assert.deepEqual(providers.json.providers.map((p: Json) => [p.id, p.has_key]), [['openai', true], ['anthropic', true], ['gemini', true]]);
  const check = await request('POST', '/api/access/check', ROOT, { who: ALICE, grants: [{ src: [ALICE, 'group:nobody'], app: { [cap]: [{ role: 'user' }, { models: 'openai/**' }] } }] });
  assert.equal(check.json.role, 'user');
  assert.deepEqual(check.json.models, ['openai/gpt-4.1', 'openai/gpt-5', 'openai/text-embedding-3-small']);
  const hypothetical = await request('POST', '/api/access/check', ROOT, { who: 'bob@example.com', grants: [{ src: ['bob@example.com'], app: { [cap]: [{ role: 'user' }, { models: 'anthropic/claude-*' }] } }] });
  assert.equal(hypothetical.json.role, 'user');
  assert.deepEqual(hypothetical.json.models, ['anthropic/claude-sonnet-4-5', 'anthropic/claude-haiku-4-5']);
  const nobody = await request('POST', '/api/access/check', ROOT, { who: 'mallory@example.com' });
  assert.equal(nobody.json.role, null);
  assert.deepEqual(nobody.json.models, []);
});
