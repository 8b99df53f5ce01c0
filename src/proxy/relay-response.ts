import type { ServerResponse } from 'node:http';
import type { CallCapture } from '../recording/recorder.ts';
import type { createTap } from '../metering/tap.ts';
import type { UpstreamBody } from './upstream-exchange.ts';

export type RelayEnd = { type: 'complete' } | { type: 'cut' };

/**
 * Pipes an upstream body to the client chunk by chunk (with TCP back-pressure) through the tap.
 * The client's response is only *completed* — its last bytes of a content-length body, or the end
 * of a chunked one — after `beforeComplete` resolves, which is when the call's record is durable.
 */
export function relayResponse(options: {
  source: UpstreamBody;
  response: ServerResponse;
  tap: ReturnType<typeof createTap>;
  /** Set when the client gets the upstream's Content-Length. */
  contentLength: number | undefined;
  capture: CallCapture | undefined;
  captureMaxBytes: number;
  /** Capture what the client is sent rather than what the upstream sent (a re-framed stream). */
  captureSent?: boolean;
  onFirstByte(): void;
  onBytes(count: number): void;
  beforeComplete(end: RelayEnd): Promise<void>;
}): void {
  const { source, response, tap, contentLength, capture } = options;
  let sent = 0;
  let heldBack: Buffer | undefined;

  const write = (bytes: Buffer): void => {
    if (bytes.length === 0) return;
    if (capture && options.captureSent) keep(capture, bytes, options.captureMaxBytes);
    if (sent === 0) options.onFirstByte();
    sent += bytes.length;
    options.onBytes(bytes.length);
    if (contentLength !== undefined && sent >= contentLength) {
      heldBack = heldBack ? Buffer.concat([heldBack, bytes]) : bytes; // the client would see the call complete
      return;
    }
    if (!response.write(bytes)) {
      source.pause(); // the client reads slower than the provider writes: let TCP push back
      response.once('drain', () => source.resume());
    }
  };

  source.pipeTo({
    data(chunk) {
      if (capture && !options.captureSent) keep(capture, chunk, options.captureMaxBytes);
      tap.push(chunk, write);
    },
    end() {
      tap.end(write);
      void options.beforeComplete({ type: 'complete' }).finally(() => response.end(heldBack));
    },
    error() {
      // Cut mid-stream: the client gets what arrived, then the connection closes, as it would directly.
      tap.end(write);
      void options.beforeComplete({ type: 'cut' });
      response.destroy();
    },
  });
}

/** Keeps a reference to the chunk (no copy) until the capture limit. */
function keep(capture: CallCapture, chunk: Buffer, maxBytes: number): void {
  if (capture.responseBytes >= maxBytes) {
    capture.truncated = true;
    return;
  }
  const room = maxBytes - capture.responseBytes;
  capture.responseChunks.push(chunk.length <= room ? chunk : chunk.subarray(0, room));
  capture.responseBytes += Math.min(chunk.length, room);
  if (chunk.length > room) capture.truncated = true;
}
