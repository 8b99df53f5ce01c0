import { parentPort } from 'node:worker_threads';
import { constants, zstdCompressSync } from 'node:zlib';

/**
 * Compresses captures off the gateway's event loop: one message per batch in, one out. zstd level 3
 * (its default) gives most of the ratio at a fraction of the cost of higher levels.
 */
export type CompressJob = { id: number; items: { headers: string; request: Uint8Array; response: Uint8Array[] }[] };
export type CompressResult = { id: number; items: { headers: Uint8Array; request: Uint8Array; response: Uint8Array }[] };

const options = { params: { [constants.ZSTD_c_compressionLevel]: 3 } };

parentPort?.on('message', (job: CompressJob) => {
  const items = job.items.map((item) => ({
    headers: zstdCompressSync(Buffer.from(item.headers), options),
    request: zstdCompressSync(item.request, options),
    response: zstdCompressSync(Buffer.concat(item.response), options),
  }));
  // zstd's output buffers cannot be transferred, so they are copied across: small next to the work saved.
  const result: CompressResult = { id: job.id, items };
  parentPort!.postMessage(result);
});
