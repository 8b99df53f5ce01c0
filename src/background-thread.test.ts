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
  const { stdout } = await promisify(execFile)(process.execPath, ['--max-semi-space-size=32', '--input-type=module', '-e', starter]);
  const youngMb = Number(stdout.trim());
  // Without clearing the flag the thread's young generation grows to 64 MB (two 32 MB semi-spaces). With
  // it, the space reads the thread's own limit (8 MB); with a 2 MB limit it read up to 2.5 MB over it on
  // a slow VM (pages V8 had not released yet when the thread asked), so the bound is a quarter of 64.
  assert.ok(youngMb > 0 && youngMb <= 16, `young generation of the thread: ${youngMb} MB`);
});
