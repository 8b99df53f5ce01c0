import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';

// A thread that allocates short-lived objects, some surviving a while, until V8 has grown its young
// generation as far as it may; it reports the young generation's size in MB.
const allocating = `
import { parentPort } from 'node:worker_threads';
import { getHeapSpaceStatistics } from 'node:v8';
const ring = new Array(100000);
for (let i = 0; i < 3000000; i++) ring[i % ring.length] = { i, s: 'x' + i };
parentPort.postMessage(getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size / 1048576);
`;

const starter = `
import { startBackgroundWorker } from ${JSON.stringify(new URL('./background-thread.ts', import.meta.url).href)};
const worker = startBackgroundWorker(new URL('data:text/javascript,' + encodeURIComponent(${JSON.stringify(allocating)})), {});
worker.once('message', (mb) => { console.log(mb); void worker.terminate(); });
`;

test('a recording thread keeps its small young generation when the process runs with a larger --max-semi-space-size (tailgate serve sets one)', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--max-semi-space-size=8', '--input-type=module', '-e', starter]);
  const youngMb = Number(stdout.trim());
  // Without clearing the flag the thread's young generation grows to 16 MB (two 8 MB semi-spaces). With
  // it, the space reads about 2 MB, and up to 4.5 MB in 3 of 16 runs on a slow VM (pages V8 had not
  // released yet when the thread asked), so the bound is half of what a missed flag gives.
  assert.ok(youngMb > 0 && youngMb <= 8, `young generation of the thread: ${youngMb} MB`);
});

const niceOfThreads = `
import { readFileSync, readdirSync } from 'node:fs';
import { getPriority } from 'node:os';
import { lowerV8WorkerPriority } from ${JSON.stringify(new URL('./background-thread.ts', import.meta.url).href)};
const nice = () => readdirSync('/proc/self/task').map((id) => {
  const stat = readFileSync('/proc/self/task/' + id + '/stat', 'utf8');
  return { name: readFileSync('/proc/self/task/' + id + '/comm', 'utf8').trim(), nice: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]) };
});
const before = nice();
lowerV8WorkerPriority();
console.log(JSON.stringify({ base: getPriority(), before, after: nice() }));
`;

// The process starts at nice 0, or at 15, where the V8 threads must stay (lowering only, never raising).
for (const start of [0, 15]) {
  test(`V8's worker threads yield to the threads that serve calls and write the journal (nice 10 or lower); no other thread changes (process at nice ${start})`, { skip: process.platform !== 'linux' && 'Linux only' }, async () => {
    const { stdout } = await promisify(execFile)('nice', ['-n', String(start), process.execPath, '--input-type=module', '-e', niceOfThreads]);
    const { base, before, after } = JSON.parse(stdout) as { base: number } & Record<'before' | 'after', { name: string; nice: number }[]>;
    const workers = after.filter((thread) => thread.name === 'V8Worker');
    assert.ok(workers.length > 0, `threads: ${after.map((thread) => thread.name).join(', ')}`);
    assert.equal(base, start);
    assert.ok(before.every((thread) => thread.nice === base));
    assert.deepEqual(workers.map((thread) => thread.nice), workers.map(() => Math.max(base, 10)));
    assert.ok(after.filter((thread) => thread.name !== 'V8Worker').every((thread) => thread.nice === base));
  });
}
