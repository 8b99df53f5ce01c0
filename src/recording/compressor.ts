import { Worker } from 'node:worker_threads';
import { backgroundThreadLimits } from '../background-thread.ts';
import type { CompressJob, CompressResult } from './compress-worker.ts';

export type RawCapture = CompressJob['items'][number];
export type Compressed = { headers: Buffer; request: Buffer; response: Buffer };

/**
 * One exactly-sized copy of some bytes. Structured clone copies a typed array's whole backing
 * ArrayBuffer, and Node's buffers are views into pooled or socket-sized ones many times larger.
 */
export function compact(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/** A worker thread that compresses a batch of captures per message, so zstd never runs on the event loop. */
export function createCompressor() {
  const worker = new Worker(new URL('./compress-worker.ts', import.meta.url), { resourceLimits: backgroundThreadLimits });
  worker.unref();
  let next = 0;
  const waiting = new Map<number, { resolve: (items: Compressed[]) => void; reject: (error: unknown) => void }>();
  worker.on('message', (result: CompressResult) => {
    const waiter = waiting.get(result.id);
    waiting.delete(result.id);
    waiter?.resolve(result.items.map((item) => ({ headers: Buffer.from(item.headers.buffer, item.headers.byteOffset, item.headers.byteLength), request: Buffer.from(item.request.buffer, item.request.byteOffset, item.request.byteLength), response: Buffer.from(item.response.buffer, item.response.byteOffset, item.response.byteLength) })));
  });
  worker.on('error', (error) => {
    for (const waiter of waiting.values()) waiter.reject(error);
    waiting.clear();
  });
  return {
    compress(items: RawCapture[]): Promise<Compressed[]> {
      if (items.length === 0) return Promise.resolve([]);
      const id = next++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ id, items } satisfies CompressJob);
      });
    },
    close: () => worker.terminate(),
  };
}
