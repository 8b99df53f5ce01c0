// The SQLite store's threads: the reader runs only while reads come, the writer checkpoints the WAL, and
// a thread that had to compile TypeScript is started again.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openStore } from '../open-store.ts';
import { T0, varied } from '../testing/records.ts';

/** Worker threads of this process, by the name Linux shows for them. */
function workerThreads(): number {
  return readdirSync('/proc/self/task').filter((id) => readFileSync(`/proc/self/task/${id}/comm`, 'utf8').trim() === 'WorkerThread').length;
}

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(20)) if (condition()) return true;
  return condition();
}

test('a SQLite store runs its reader thread only while reads come, and reads again after it ended', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'tailgate-reader-'));
  const before = workerThreads();
  const store = await openStore(`sqlite:${path.join(dir, 'calls.db')}`, { migrate: true, readerIdleMs: 200 });
  try {
    await store.insertCalls(varied(50, { days: 1 }));
    assert.equal(workerThreads() - before, 1, 'only the writer runs before anything is read');

    const first = await store.usage('model', { from: T0 - 86_400_000 });
    assert.equal(first.reduce((n, row) => n + row.requests, 0), 50);
    assert.equal(workerThreads() - before, 2, 'a read starts the reader');

    assert.ok(await until(() => workerThreads() - before === 1, 3000), 'the reader ends once idle');
    const again = await store.listCalls({}, { limit: 10 });
    assert.equal(again.items.length, 10, 'a read after the reader ended starts another');
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
  assert.equal(workerThreads(), before, 'close ends every thread');
});

test('the SQLite writer copies the WAL into the database file a few seconds after it wrote', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'tailgate-checkpoint-'));
  const file = path.join(dir, 'calls.db');
  const store = await openStore(`sqlite:${file}`, { migrate: true });
  try {
    const empty = statSync(file).size; // the schema is still in the WAL
    await store.insertCalls(varied(2000, { days: 1 }));
    assert.ok(statSync(`${file}-wal`).size > 1_000_000, 'the calls went to the WAL first');
    assert.ok(await until(() => statSync(file).size > empty + 1_000_000, 8000), 'the database file took the calls');
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a store thread that had to compile TypeScript writes the compile cache and is started again, once, so none keeps the parser', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'tailgate-compile-'));
  // A process of its own, so its threads start on a compile cache this test alone fills.
  const script = `
    import { openStore } from ${JSON.stringify(new URL('../open-store.ts', import.meta.url).href)};
    import { varied } from ${JSON.stringify(new URL('../testing/records.ts', import.meta.url).href)};
    let threads = 0;
    process.on('worker', () => threads++);
    const store = await openStore(${JSON.stringify(`sqlite:${path.join(dir, 'calls.db')}`)}, { migrate: true });
    await store.insertCalls(varied(20, { days: 1 }));
    const rows = await store.listCalls({}, { limit: 100 });
    await store.close();
    console.log(JSON.stringify({ threads, calls: rows.items.length }));`;
  await writeFile(path.join(dir, 'open.mjs'), script);
  const run = () => {
    const child = spawnSync(process.execPath, [path.join(dir, 'open.mjs')], { encoding: 'utf8', env: { ...process.env, NODE_COMPILE_CACHE: path.join(dir, 'cache') } });
    assert.equal(child.status, 0, child.stderr);
    return JSON.parse(child.stdout) as { threads: number; calls: number };
  };
  try {
    // Empty cache: the writer compiles, asks to be started again; the reader starts warm.
    assert.deepEqual(run(), { threads: 3, calls: 20 });
    // Filled cache: writer and reader, each started once.
    assert.deepEqual(run(), { threads: 2, calls: 20 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
