import { parentPort } from 'node:worker_threads';
import { constants, zstdCompressSync } from 'node:zlib';
import { runInBackground } from '../background-thread.ts';
import { compressFromBytes } from './capture-codec.ts';

/**
 * Compresses captures off the gateway's event loop: one message per batch in, one out. zstd level 3
 * (its default) gives most of the ratio at a fraction of the cost of higher levels; small parts are
 * kept as they are (capture-codec.ts).
 */
export type CompressJob = { id: number; items: { headers: string; request: Uint8Array; response: Uint8Array }[] };
export type CompressResult = { id: number; items: { headers: Uint8Array; request: Uint8Array; response: Uint8Array }[] };

runInBackground();

const options = { params: { [constants.ZSTD_c_compressionLevel]: 3 } };

/** Compressed when worth it, as an exactly-sized copy that owns its memory so it can be transferred. */
function pack(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.byteLength < compressFromBytes ? bytes : zstdCompressSync(bytes, options));
}

parentPort?.on('message', (job: CompressJob) => {
  const items = job.items.map((item) => ({
    headers: pack(Buffer.from(item.headers)),
    request: pack(item.request),
    response: pack(item.response),
  }));
  const result: CompressResult = { id: job.id, items };
  parentPort!.postMessage(result, items.flatMap((item) => [item.headers.buffer, item.request.buffer, item.response.buffer] as ArrayBuffer[]));
});
