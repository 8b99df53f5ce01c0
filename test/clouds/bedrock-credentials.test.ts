// SigV4 with credentials from the standard AWS chain (here: a shared-config profile whose
// `credential_process` hands out short-lived keys, as SSO/assume-role setups do): credentials are
// re-resolved when they near expiry, and an ExpiredToken refusal forces a refresh and one retry.
// This file changes process.env (node --test runs each file in its own process).
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { StartedGateway } from '../../src/server.ts';
import { post, recorded, startCloudGateway } from './cloud-harness.ts';
import { startFakeBedrock, type FakeBedrock } from './fake-bedrock.ts';

const MODEL = 'anthropic.claude-haiku-4-5-20251001-v1:0';
const body = { anthropic_version: 'bedrock-2023-05-31', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] };

let dir: string;
let fake: FakeBedrock;
let gateway: StartedGateway;
const invoke = () => post(`${gateway.url}/bedrock/model/${encodeURIComponent(MODEL)}/invoke`, body);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tailgate-aws-'));
  // Each run of the process prints the next key pair, valid for five minutes and 1.5 seconds: the
  // chain treats credentials with under five minutes left as expired, so they age out 1.5 s later.
  const script = join(dir, 'credentials.mjs');
  await writeFile(
    script,
    `import { readFileSync, writeFileSync } from 'node:fs';
const file = ${JSON.stringify(join(dir, 'counter'))};
let n = 0; try { n = Number(readFileSync(file, 'utf8')); } catch {}
n += 1; writeFileSync(file, String(n));
process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: 'AKIDPROC' + n, SecretAccessKey: 'process-secret-' + n, SessionToken: 'process-session-' + n, Expiration: new Date(Date.now() + 301500).toISOString() }));
`,
  );
  await writeFile(join(dir, 'config'), `[profile tailgate-test]\nregion = us-east-1\ncredential_process = "${process.execPath}" "${script}"\n`);
  await writeFile(join(dir, 'credentials'), '');
  for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name];
  process.env.AWS_CONFIG_FILE = join(dir, 'config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'credentials');
  process.env.AWS_EC2_METADATA_DISABLED = 'true';

  const secrets = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`AKIDPROC${i + 1}`, { secretAccessKey: `process-secret-${i + 1}`, sessionToken: `process-session-${i + 1}` }]));
  fake = await startFakeBedrock({ secrets });
  gateway = await startCloudGateway({
    bedrock: { baseurl: fake.url, models: [MODEL], compatibility: { bedrock_model_invoke: true }, bedrock: { region: 'us-east-1', profile: 'tailgate-test' } },
  });
});

after(async () => {
  await gateway?.close();
  await fake?.close();
  await rm(dir, { recursive: true, force: true });
});

test('credentials from the chain are cached, then re-resolved as they near expiry', async () => {
  assert.equal((await invoke()).status, 200);
  assert.equal((await invoke()).status, 200);
  assert.deepEqual(fake.requests.map((r) => r.accessKeyId), ['AKIDPROC1', 'AKIDPROC1']);
  assert.equal(fake.requests[0].headers['x-amz-security-token'], 'process-session-1');
  await new Promise((resolve) => setTimeout(resolve, 1700));
  // Inside the chain's five-minute window the keys still work, so the SDK's chain serves them once
  // more while it fetches new ones in the background; the call after that is signed with the new ones.
  assert.equal((await invoke()).status, 200);
  const deadline = Date.now() + 10_000;
  while ((await readFile(join(dir, 'counter'), 'utf8').catch(() => '')) !== '2' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal((await invoke()).status, 200);
  assert.equal(fake.requests.at(-1)!.accessKeyId, 'AKIDPROC2');
  assert.equal(fake.requests.at(-1)!.headers['x-amz-security-token'], 'process-session-2');
});

test('an ExpiredToken refusal forces fresh credentials and one retry', async () => {
  fake.secrets.set('AKIDPROC2', { secretAccessKey: 'process-secret-2', sessionToken: 'process-session-2', expired: true });
  const refused = fake.refused.length;
  const response = await invoke();
  assert.equal(response.status, 200);
  assert.deepEqual(fake.refused.slice(refused).map((r) => r.type), ['ExpiredTokenException']);
  assert.equal(fake.requests.at(-1)!.accessKeyId, 'AKIDPROC3');
  const calls = await recorded(gateway, 5);
  assert.ok(calls.every((c) => c.outcome === 'ok'));
});
