import { readlinkSync } from 'node:fs';
import { flushCompileCache, getCompileCacheDir } from 'node:module';
import { setPriority } from 'node:os';
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
 * Starts a recording thread with a young generation of its own: V8 sizes it to the machine (tens of MB
 * on a large box) and these threads only ever hold one batch of calls. At 2 MB the store's thread
 * promoted what a batch still held at each of its 23–25 scavenges a second, and ran 1.2–1.3 full
 * collections a second (c=64, --trace-gc), whose marking V8's worker threads do beside the data plane. At
 * 8 MB the gateway took 4–18% less CPU per call at c=1 (tailgate-ab, three runs, B/A 0.82–0.96 in all six
 * cells; 0.84–1.03 at c=64) and the store's thread 89–97 µs a call instead of 113–138, for some 4–7 MB
 * more peak. (4 MB measured as noise; 2 rather than 4 had kept the store's heap 2 MB smaller in the ingest
 * benchmark, 13.0–13.3 MB against 15.0–15.5 MB.) `tailgate serve` sizes the main
 * thread's with --max-semi-space-size (bin/tailgate.js), and V8 applies that flag to every isolate
 * created after it, over a Worker's resourceLimits: with the flag at 8 MB, the store's thread held
 * 16.8 MB of young generation for 2–4 MB in use. Clearing the flag here (the main thread's heap is
 * already sized) lets the thread's own limit apply.
 */
export function startBackgroundWorker(url: URL, workerData: unknown): Worker {
  setFlagsFromString('--max-semi-space-size=0');
  return new Worker(url, { workerData, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
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
