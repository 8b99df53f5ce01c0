import { parentPort } from 'node:worker_threads';
import { constants, zstdCompressSync } from 'node:zlib';

/**
 * Compresses captures off the gateway's event loop: one message per batch in, one out. zstd level 3
 * (its default) gives most of the ratio at a fraction of the cost of higher levels.
 */
export type CompressJob = { id: number; items: { headers: string; request: Uint8Array; response: Uint8Array }[] };
export type CompressResult = { id: number; items: { headers: Uint8Array; request: Uint8Array; response: Uint8Array }[] };

const options = { params: { [constants.ZSTD_c_compressionLevel]: 3 } };

/** An exactly-sized copy that owns its memory, so it can be transferred rather than cloned. */
const squeeze = (bytes: Buffer): Uint8Array => new Uint8Array(bytes);

parentPort?.on('message', (job: CompressJob) => {
  const items = job.items.map((item) => ({
    headers: squeeze(zstdCompressSync(Buffer.from(item.headers), options)),
    request: squeeze(zstdCompressSync(item.request, options)),
    response: squeeze(zstdCompressSync(item.response, options)),
  }));
  const result: CompressResult = { id: job.id, items };
  parentPort!.postMessage(result, items.flatMap((item) => [item.headers.buffer, item.request.buffer, item.response.buffer] as ArrayBuffer[]));
});
