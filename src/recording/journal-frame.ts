import { closeSync, openSync, readSync } from 'node:fs';
import { constants, zstdCompressSync } from 'node:zlib';
import type { StoredCall } from '../store/store.ts';
import type { CallRecord } from './call-record.ts';
import { compressFromBytes } from './capture-codec.ts';
import type { CallCapture } from './recorder.ts';
import { redactHeaders, redactRawHeaders } from './redact.ts';

/**
 * One finished call in the journal, with its capture, so the journal itself is the queue the store
 * reads from: a store that falls behind leaves calls on disk, never in the gateway's memory.
 *
 *   RECORD '\n'                                                  (a call without capture)
 *   RECORD '\t' HEADERS '\t' REQUEST_BYTES '\t' RESPONSE_BYTES '\t' TRUNCATED '\n' <request body> <response body>
 *
 * RECORD and HEADERS are JSON (which never holds a raw tab or newline); HEADERS is
 * `{"request": …, "response": …}` with credentials already redacted, since this is on disk. The bodies
 * follow as the bytes that crossed the wire. A crash can tear only the last frame; it is skipped.
 */
export function encodeFrame(recordJson: string, capture: CallCapture | undefined): Buffer[] {
  if (!capture) return [Buffer.from(`${recordJson}\n`)];
  const headers = JSON.stringify({ request: redactRawHeaders(capture.requestHeaders), response: redactHeaders(capture.responseHeaders) });
  const meta = `${recordJson}\t${headers}\t${capture.requestBody.byteLength}\t${capture.responseBytes}\t${capture.truncated ? 1 : 0}\n`;
  return [Buffer.from(meta), capture.requestBody, ...capture.responseChunks];
}

export type Frames = {
  calls: StoredCall[];
  /** File offset just past the last whole frame read. */
  end: number;
};

const readChunkBytes = 1024 * 1024;
/** A batch stops growing past this many bytes of frames (captures can be large). */
const maxBatchBytes = 16 * 1024 * 1024;
const newline = 0x0a;
const zstdOptions = { params: { [constants.ZSTD_c_compressionLevel]: 3 } };

/**
 * Node frees the native part of a one-shot compression (engine, zstd context) only when a full garbage
 * collection takes its wrapper object, and a thread that mostly compresses seldom runs one: 20 s of
 * streamed calls left a 58 MB malloc arena in the store's thread (nodejs/node#61717 frees zstd contexts
 * on close). So before it reads the next batch, when the last one is garbage and a collection is cheap,
 * the thread collects once enough compressions piled up, at most once a second (a collection takes
 * some 10 ms: after every batch it cost the ingest benchmark 14%), where `tailgate serve` exposed gc().
 */
const collectAfter = { compressions: 200, ms: 1000 };
const collectGarbage = (globalThis as { gc?: () => void }).gc;
let compressionsSinceCollect = 0;
let lastCollect = 0;

/**
 * Captures are stored zstd-compressed when it pays (capture-codec.ts); zstd level 3 gives most of the
 * ratio cheaply. The result is a slice of the compressor's output buffer, 16 KB unless told otherwise,
 * and that buffer lives as long as the slice: 40 compressed bodies of 4 KB held 896 KB, a batch of 500
 * streamed calls some 8 MB. Sized to the input (a second buffer follows only for bytes that do not
 * compress), the output wastes at most the input's size.
 */
function pack(bytes: Buffer): Buffer {
  if (bytes.byteLength < compressFromBytes) return Buffer.from(bytes);
  compressionsSinceCollect++;
  return zstdCompressSync(bytes, { ...zstdOptions, chunkSize: bytes.byteLength });
}

/**
 * Up to `maxCalls` whole frames between `from` and `to` of a journal segment, ready for
 * `Store.insertCalls`. Runs in the store's thread, so parsing and compression stay off the data plane.
 * Reads 1 MiB at a time (more for a frame larger than that), so a long backlog is never read twice.
 * The reads are synchronous, as the thread's SQLite writes are: the bytes were mostly just written and
 * are in the page cache, and each of fs/promises' open, read and close was a round trip through libuv's
 * thread pool, which wakes threads on the gateway's core. At openai c=1 (`npm run bench:threads`) the
 * store's thread then switched 0.44–0.49 times a call instead of 0.69–0.78, libuv's 2.16–2.19 instead
 * of 2.35–2.39.
 */
export function readFrames(file: string, from: number, to: number, maxCalls: number): Frames {
  if (collectGarbage && compressionsSinceCollect >= collectAfter.compressions && Date.now() - lastCollect >= collectAfter.ms) {
    compressionsSinceCollect = 0;
    collectGarbage();
    lastCollect = Date.now();
  }
  const fd = openSync(file, 'r');
  const calls: StoredCall[] = [];
  let at = from;
  let size = readChunkBytes;
  const reusable = takeReadBuffer();
  let buffer = reusable;
  try {
    while (calls.length < maxCalls && at < to && at - from < maxBatchBytes) {
      if (size > buffer.length) buffer = Buffer.allocUnsafeSlow(size); // one frame larger than a read
      const bytesRead = readSync(fd, buffer, 0, Math.min(size, to - at), at);
      const parsed = parseFrames(buffer.subarray(0, bytesRead), maxCalls - calls.length);
      for (const call of parsed.calls) calls.push(call);
      at += parsed.end;
      if (parsed.calls.length > 0) size = readChunkBytes;
      else if (parsed.firstFrameBytes !== undefined && parsed.firstFrameBytes > bytesRead && bytesRead < to - at) size = parsed.firstFrameBytes; // one frame larger than the read
      else break; // no whole frame here: a torn tail
    }
  } finally {
    closeSync(fd);
    spareReadBuffer = reusable; // also after a frame larger than a read needed a buffer of its own
  }
  return { calls, end: at };
}

/**
 * One read buffer, reused from read to read: nothing a batch keeps points into it (captures are copied
 * out by `pack`, records are parsed from strings), and a fresh 1 MiB a read lives outside the V8 heap
 * until one of the thread's rare collections. With 120 KB requests at c=4 (bench/agent-body.ts) the
 * gateway peaked 1–6 MB lower (three alternating pairs). Taken, not shared, so two reads never meet.
 */
let spareReadBuffer: Buffer | undefined;
function takeReadBuffer(): Buffer {
  const buffer = spareReadBuffer ?? Buffer.allocUnsafeSlow(readChunkBytes);
  spareReadBuffer = undefined;
  return buffer;
}

/** The whole frames at the start of `bytes`; `firstFrameBytes` says how much the first one needs when none fitted. */
function parseFrames(bytes: Buffer, maxCalls: number): { calls: StoredCall[]; end: number; firstFrameBytes?: number } {
  const calls: StoredCall[] = [];
  let at = 0;
  while (calls.length < maxCalls && at < bytes.length) {
    const lineEnd = bytes.indexOf(newline, at);
    if (lineEnd < 0) return { calls, end: at, firstFrameBytes: calls.length === 0 ? Math.max(bytes.length * 2, readChunkBytes) : undefined };
    const fields = bytes.toString('utf8', at, lineEnd).split('\t');
    let next = lineEnd + 1;
    let record: CallRecord;
    try {
      record = JSON.parse(fields[0]) as CallRecord;
    } catch {
      break; // the torn tail of a crashed write: its call never completed for the client
    }
    if (fields.length < 5) {
      calls.push({ record });
    } else {
      const requestBytes = Number(fields[2]);
      const responseBytes = Number(fields[3]);
      const frameEnd = next + requestBytes + responseBytes;
      if (frameEnd > bytes.length) return { calls, end: at, firstFrameBytes: calls.length === 0 ? frameEnd : undefined };
      calls.push({
        record,
        captures: {
          headers: pack(Buffer.from(fields[1])),
          requestBody: pack(bytes.subarray(next, next + requestBytes)),
          responseBody: pack(bytes.subarray(next + requestBytes, frameEnd)),
          truncated: fields[4] === '1',
        },
      });
      next = frameEnd;
    }
    at = next;
  }
  return { calls, end: at };
}
