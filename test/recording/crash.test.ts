import assert from 'node:assert/strict';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Agent, request } from 'undici';
import { startFakeUpstream } from '../fake-upstream/fake-upstream.ts';
import { providersFor } from '../e2e/harness.ts';
import { serve } from '../cli/tailgate-cli.ts';

const grant = { src: ['(loopback)'], app: { 'tailscale.com/cap/aperture': [{ role: 'admin' }, { models: '**' }] } };

/** Every call id in the store, following the cursor. */
async function storedIds(url: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor = '';
  for (;;) {
    const response = await fetch(`${url}/api/calls?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    const body = (await response.json()) as { items: { id: string }[]; next_cursor: string | null };
    ids.push(...body.items.map((item) => item.id));
    if (!body.next_cursor) return ids;
    cursor = body.next_cursor;
  }
}

test('kill -9 under load loses no call whose client got a complete response, and stores none twice', { timeout: 120_000 }, async () => {
  const fake = await startFakeUpstream();
  const dir = await mkdtemp(join(tmpdir(), 'tailgate-crash-'));
  const path = join(dir, 'tailgate.json');
  await writeFile(path, JSON.stringify({ providers: providersFor(fake.url), grants: [grant], data_dir: join(dir, 'data') }));
  const first = await serve(['--config', path], { env: { TAILGATE_LOG_LEVEL: 'warn' } });
  const completed: string[] = [];
  const failures: string[] = [];
  const agent = new Agent({ connections: 32 });
  let stop = false;
  let running = 32;
  // 32 clients in a loop, streaming and non-streaming, until the gateway dies under them.
  const clients = Array.from({ length: 32 }, async (_, index) => {
    while (!stop) {
      try {
        const stream = index % 2 === 0;
        const response = await request(`${first.url}/v1/chat/completions`, {
          method: 'POST',
          dispatcher: agent,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'gpt-4.1', stream, messages: [{ role: 'user', content: `client ${index}` }] }),
        });
        await response.body.text(); // throws if the body is cut off
        if (response.statusCode === 200) completed.push(String(response.headers['x-tailgate-request-id']));
        else failures.push(`status ${response.statusCode}`);
      } catch (error) {
        if (!stop) failures.push((error as Error).message);
        break; // the gateway is gone
      }
    }
    running--;
  });
  const deadline = Date.now() + 30_000;
  while (completed.length < 400 && running > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  // Listen before killing: the child may be gone (and 'exit' emitted) before every client has noticed.
  const exited = new Promise((resolve) => first.child.once('exit', resolve));
  stop = true;
  first.child.kill('SIGKILL');
  await Promise.all(clients);
  await exited;
  await agent.close();
  if (completed.length < 400) {
    await fake.close();
    assert.fail(`only ${completed.length} calls completed before the kill (${failures.slice(0, 3).join('; ')}); log: ${first.log().slice(-500)}`);
  }

  const second = await serve(['--config', path], { env: { TAILGATE_LOG_LEVEL: 'warn' } });
  try {
    let ids: string[] = [];
    for (let attempt = 0; attempt < 100; attempt++) {
      ids = await storedIds(second.url);
      if (completed.every((id) => ids.includes(id))) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const missing = completed.filter((id) => !ids.includes(id));
    assert.deepEqual(missing, [], `${missing.length} of ${completed.length} completed calls were lost`);
    assert.equal(new Set(ids).size, ids.length, 'no call is stored twice');
    const usage = (await (await fetch(`${second.url}/api/usage?group_by=model&from=1h`)).json()) as { rows: { key: string; requests: number }[] };
    assert.equal(usage.rows.find((row) => row.key === 'gpt-4.1')?.requests, ids.length, 'rollups count every stored call once');
  } finally {
    await second.stop();
    await fake.close();
  }
});
