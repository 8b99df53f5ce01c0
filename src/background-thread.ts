import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import type { ResourceLimits } from 'node:worker_threads';

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
 * Heap limits for the recording threads. V8 sizes a thread's young generation to the machine (tens of
 * MB on a large box) and each thread grows its own; these threads only ever hold one batch of calls.
 */
export const backgroundThreadLimits: ResourceLimits = { maxYoungGenerationSizeMb: 8 };
