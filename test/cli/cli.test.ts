import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort, run, serve, until } from './tailgate-cli.ts';

const grant = { src: ['(loopback)'], app: { 'tailscale.com/cap/aperture': [{ role: 'admin' }, { models: '**' }] } };
const provider = (models: string[]) => ({ baseurl: 'http://127.0.0.1:9/v1', apikey: '${LOCAL_KEY}', models });

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'tailgate-cli-'));
}

async function modelIds(url: string): Promise<string[]> {
  const body = (await (await fetch(`${url}/v1/models`)).json()) as { data: { id: string }[] };
  return body.data.map((model) => model.id);
}

test('tailgate check prints warnings, exits 0 without errors and 1 with them', async () => {
  const dir = await tempDir();
  const good = join(dir, 'good.hujson');
  await writeFile(good, `{ // comments are fine\n "providers": {"local": {"baseurl": "http://x/v1", "apikey": "k", "models": ["m"], "basurl": 1}},\n "grants": ${JSON.stringify([grant])}, }`);
  const ok = await run(['check', good]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /warning: unknown config key "providers.local.basurl"/);
  assert.match(ok.stdout, /ok, 1 warning\(s\)/);

  const bad = join(dir, 'bad.json');
  await writeFile(bad, JSON.stringify({ providers: { local: provider(['m']) }, grants: [grant] }));
  const failed = await run(['check', bad]);
  assert.equal(failed.code, 1);
  assert.match(failed.stdout, /error: unsubstituted macros: \[LOCAL_KEY\]/);
  assert.equal((await run(['check', bad], { env: { LOCAL_KEY: 'sk-local' } })).code, 0);
});

test('tailgate serve re-reads its config on change and keeps the last good one on a bad edit', async () => {
  const dir = await tempDir();
  const path = join(dir, 'tailgate.json');
  await writeFile(path, JSON.stringify({ providers: { local: provider(['first-model']) }, grants: [grant] }));
  const served = await serve(['--config', path], { env: { LOCAL_KEY: 'sk-local-secret' } });
  try {
    assert.deepEqual(await modelIds(served.url), ['first-model']);
    // Atomic replace, as editors and config writers do.
    await writeFile(`${path}.tmp`, JSON.stringify({ providers: { local: provider(['second-model']) }, grants: [grant] }));
    await rename(`${path}.tmp`, path);
    await until(async () => (await modelIds(served.url)).includes('second-model'));
    await writeFile(path, '{"providers": {');
    await until(() => served.log().includes('keeping the last good config'));
    assert.deepEqual(await modelIds(served.url), ['second-model']);
    assert.ok(!served.log().includes('sk-local-secret'), 'the provider key never reaches the log');
  } finally {
    await served.stop();
  }
});

test('tailgate serve with no config announces its default and serves providers from API-key variables', async () => {
  const dir = await tempDir();
  const port = await freePort();
  const served = await serve([], { cwd: dir, env: { ANTHROPIC_API_KEY: 'sk-ant-from-env', TAILGATE_LISTEN: `127.0.0.1:${port}` }, port });
  try {
    assert.match(served.log(), /no config file: using the default \(providers from anthropic/);
    assert.deepEqual(await modelIds(served.url), ['claude-opus-4-5', 'claude-sonnet-4-5', 'claude-haiku-4-5']);
    assert.ok(existsSync(join(dir, 'tailgate-data')), 'data lives under ./tailgate-data/');
    assert.ok(!served.log().includes('sk-ant-from-env'));
  } finally {
    await served.stop();
  }
});

test('tailgate serve refuses a config with errors and says why', async () => {
  const dir = await tempDir();
  const path = join(dir, 'broken.json');
  await writeFile(path, JSON.stringify({ providers: { local: provider(['m']) } }));
  const result = await run(['serve', '--config', path, '--listen', '127.0.0.1:0']);
  assert.equal(result.code, 1);
  assert.match(result.stdout + result.stderr, /unsubstituted macros: \[LOCAL_KEY\]/);
});

test('tailgate whoami prints the caller, role and models of a running gateway', async () => {
  const dir = await tempDir();
  const path = join(dir, 'tailgate.json');
  await writeFile(path, JSON.stringify({ providers: { local: provider(['first-model']) }, grants: [grant] }));
  const served = await serve(['--config', path], { env: { LOCAL_KEY: 'k' } });
  try {
    const result = await run(['whoami', '--url', served.url]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^login\s+\(loopback\)$/m);
    assert.match(result.stdout, /^role\s+admin$/m);
    assert.match(result.stdout, /^models\s+local\/first-model$/m);
  } finally {
    await served.stop();
  }
  const unreachable = await run(['whoami', '--url', 'http://127.0.0.1:9']);
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.stderr, /cannot reach a gateway/);
});

test('tailgate usage prints the usage of a running gateway as a table', async () => {
  const { startFakeUpstream, fixture } = await import('../fake-upstream/fake-upstream.ts');
  const fake = await startFakeUpstream();
  const dir = await tempDir();
  const path = join(dir, 'tailgate.json');
  await writeFile(path, JSON.stringify({ providers: { openai: { baseurl: fake.url, apikey: 'k', models: ['gpt-4.1'] } }, grants: [grant], data_dir: join(dir, 'data') }));
  const served = await serve(['--config', path]);
  try {
    for (let i = 0; i < 3; i++) {
      fake.reply(fixture('openai-chat', 'text.json').reply());
      await (await fetch(`${served.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4.1', messages: [] }) })).arrayBuffer();
    }
    let result = await run(['usage', '--by', 'model', '--since', '1h', '--url', served.url]);
    for (let attempt = 0; attempt < 50 && !/gpt-4\.1\s+3\s/.test(result.stdout); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      result = await run(['usage', '--by', 'model', '--since', '1h', '--url', served.url]);
    }
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^model\s+requests\s+errors\s+input\s+output/m);
    assert.match(result.stdout, /^gpt-4\.1\s+3\s+0\s/m);
    assert.match(result.stdout, /^total\s+3\s/m);
    assert.equal((await run(['usage', '--by', 'colour', '--url', served.url])).code, 2);
  } finally {
    await served.stop();
    await fake.close();
  }
});

test('tailgate serve on an empty compile cache (the first start after an install or upgrade) holds no more memory than on a filled one', { skip: process.platform !== 'linux' }, async () => {
  const dir = await tempDir();
  const path = join(dir, 'tailgate.json');
  await writeFile(path, JSON.stringify({ providers: { local: provider(['m']) }, grants: [grant], data_dir: join(dir, 'data') }));
  const env = { LOCAL_KEY: 'k', NODE_COMPILE_CACHE: join(dir, 'compile-cache') };
  const residentMb = async () => {
    const served = await serve(['--config', path], { env });
    try {
      await modelIds(served.url);
      const status = await readFile(`/proc/${served.child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
    } finally {
      await served.stop();
    }
  };
  const first = await residentMb();
  const second = await residentMb();
  // Type stripping's parser, loaded on a cache miss, used to stay for the process's life: 22 MB more here.
  assert.ok(first <= second + 8, `first start ${first.toFixed(1)} MB, second ${second.toFixed(1)} MB`);
});

/** NUL-separated entries of a /proc file (a process's command line or environment). */
async function procEntries(pid: number, file: 'cmdline' | 'environ'): Promise<string[]> {
  return (await readFile(`/proc/${pid}/${file}`, 'utf8')).split('\0');
}

test('tailgate serve runs with its heap and malloc settings, and the operator\'s own win', { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
  const dir = await tempDir();
  const path = join(dir, 'tailgate.json');
  await writeFile(path, JSON.stringify({ providers: { local: provider(['m']) }, grants: [grant], data_dir: join(dir, 'data') }));
  // bin/tailgate.js starts Node again (execve, same pid) with these; a 32 KB mmap threshold cost 15–18% CPU per call.
  const defaults = await serve(['--config', path], { env: { LOCAL_KEY: 'k' } });
  try {
    const args = await procEntries(defaults.child.pid!, 'cmdline');
    for (const flag of ['--max-semi-space-size=4', '--heap-growing-percent=50', '--expose-gc']) assert.ok(args.includes(flag), `${flag} in ${args.join(' ')}`);
    const env = await procEntries(defaults.child.pid!, 'environ');
    assert.ok(env.includes('MALLOC_MMAP_THRESHOLD_=4194304'), env.join(' '));
    assert.ok(env.includes('MALLOC_ARENA_MAX=1'), env.join(' '));
  } finally {
    await defaults.stop();
  }
  const tuned = await serve(['--config', path], { env: { LOCAL_KEY: 'k', MALLOC_ARENA_MAX: '2' } });
  try {
    const env = await procEntries(tuned.child.pid!, 'environ');
    assert.ok(env.includes('MALLOC_ARENA_MAX=2') && !env.includes('MALLOC_ARENA_MAX=1'), env.join(' '));
    assert.ok(env.includes('MALLOC_MMAP_THRESHOLD_=4194304'), env.join(' '));
  } finally {
    await tuned.stop();
  }
});
