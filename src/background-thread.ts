import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { flushCompileCache, getCompileCacheDir } from 'node:module';
import { getPriority, setPriority } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';

/**
 * Puts the calling thread at the lowest CPU priority (nice 19), for the threads that record calls
 * (store writes with their compression, checkpoints). When the gateway's cores are saturated, the data
 * plane then gets the CPU and recording catches up afterwards from the journal, which already holds
 * every call durably; on an idle core the thread runs at full speed. Linux only: there a
 * thread's id is a valid target of setpriority(2), and /proc/thread-self names it. Elsewhere, or
 * where it is not permitted, the thread keeps its priority.
 */
export function runInBackground(): void {
  if (process.platform !== 'linux') return;
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (threadId !== process.pid) setPriority(threadId, 19); // never the main thread, which serves calls
  } catch {
    // no /proc or not permitted: recording competes with the data plane as an ordinary thread
  }
}

/**
 * Puts V8's own worker threads (Node names them V8Worker) at nice 10 or lower: they collect garbage and
 * optimize code in the background for every thread of the process, the store's included. At the default
 * priority they take turns on a busy core with the libuv thread that writes the journal, which every
 * call waits for: at c=1, with the gateway on one core, that write's round trip was 56–60 µs at p50 and
 * 0.8–1 ms at p99. Niced, the c=1 p99 was 1.0–1.3 ms lower in three pairs of 8 s runs, and 0.02–0.33 ms
 * lower in the four cells of two interleaved `tailgate-ab` runs; CPU time per call did not change beyond
 * the noise (B/A 0.91–1.09). Their work is never skipped: a thread that needs a collection finished does
 * the rest itself. Linux only, like runInBackground(); elsewhere they keep their priority.
 */
export function lowerV8WorkerPriority(): void {
  if (process.platform !== 'linux') return;
  try {
    for (const name of readdirSync('/proc/self/task')) {
      const thread = Number(name);
      // Only ever lower: a gateway started at nice 15 keeps its V8 threads there.
      if (readFileSync(`/proc/self/task/${name}/comm`, 'utf8').trim() === 'V8Worker' && getPriority(thread) < 10) setPriority(thread, 10);
    }
  } catch {
    // no /proc or not permitted: they keep the default priority
  }
}

/**
 * Starts a recording thread with a small young generation: V8 sizes it to the machine (tens of MB on a
 * large box) and these threads only ever hold one batch of calls. 2 MB rather than 4 kept the store's
 * heap 2 MB smaller under load (13.0–13.3 MB against 15.0–15.5 MB) for 3% less ingest (160,000 calls:
 * 9,744 and 9,860/s against 10,142 and 10,061/s). `tailgate serve` sizes the main
 * thread's with --max-semi-space-size (bin/tailgate.js), and V8 applies that flag to every isolate
 * created after it, over a Worker's resourceLimits: with the flag at 8 MB, the store's thread held
 * 16.8 MB of young generation for 2–4 MB in use. Clearing the flag here (the main thread's heap is
 * already sized) lets the thread's own limit apply.
 */
export function startBackgroundWorker(url: URL, workerData: unknown): Worker {
  setFlagsFromString('--max-semi-space-size=0');
  return new Worker(url, { workerData, resourceLimits: { maxYoungGenerationSizeMb: 2 } });
}

/**
 * Whether this thread had to compile TypeScript and should be started again, once: type stripping loads
 * its parser (swc built to WebAssembly) only when Node's compile cache misses, and the parser then
 * stays for the thread's life, 9 MB more at idle in the store's thread. That happens on the first start
 * after a change to a module only this thread loads; bin/tailgate.js asks the same of the main thread
 * and restarts the whole process. The cache is written first, so the thread started next loads none
 * of it. With no cache, a restart would compile again, so there is none.
 */
export function compiledTypeScript(): boolean {
  const loaded = (process as { moduleLoadList?: string[] }).moduleLoadList ?? [];
  if (getCompileCacheDir() === undefined || !loaded.some((name) => name.includes('amaro'))) return false;
  flushCompileCache();
  return true;
}
