import { createRequire } from 'node:module';
import type { EventStreamCodec as Codec } from '@smithy/core/event-streams';

/**
 * Splits an `application/vnd.amazon.eventstream` body (AWS Bedrock's InvokeModelWithResponseStream
 * and ConverseStream) into messages as they complete. The binary framing is
 * `[total_len u32][headers_len u32][prelude_crc u32][headers][payload][message_crc u32]`, big-endian
 * (https://docs.aws.amazon.com/transcribe/latest/dg/event-stream.html, providers.md §1.5): a message
 * may straddle TCP chunks, so bytes are buffered until `total_len` of them are there. Decoding a
 * whole message (CRCs, typed headers) is left to Smithy's codec, the one the AWS SDK itself uses.
 */
export type EventStreamMessage = {
  /** `:message-type`: `event`, `exception` or `error`. */
  messageType: string;
  /** `:event-type` for events, `:exception-type` (or `:error-code`) otherwise. */
  type: string;
  headers: Record<string, string>;
  payload: Uint8Array;
};

const utf8 = new TextDecoder();
let codec: Codec | undefined;

/** Loaded on first use: only Bedrock streams need it, and it is a sizeable module. */
function decoder(): Codec {
  if (!codec) {
    const require = createRequire(import.meta.url);
    const { EventStreamCodec } = require('@smithy/core/event-streams') as typeof import('@smithy/core/event-streams');
    codec = new EventStreamCodec((bytes) => utf8.decode(bytes), (text) => Buffer.from(text, 'utf8'));
  }
  return codec;
}

/** Largest message accepted (Bedrock's are a few KB); a larger length prefix means the stream is not event-stream. */
const maxMessageBytes = 16 * 1024 * 1024;

export function createEventStreamFramer(onMessage: (message: EventStreamMessage) => void, onInvalid: () => void = () => {}) {
  let pending: Buffer = Buffer.alloc(0);
  let broken = false;

  function decode(frame: Buffer): void {
    let message;
    try {
      message = decoder().decode(frame);
    } catch {
      broken = true; // a CRC mismatch: nothing after it can be trusted to be framed right
      onInvalid();
      return;
    }
    const headers: Record<string, string> = {};
    for (const [name, header] of Object.entries(message.headers)) headers[name] = String(header.value);
    const messageType = headers[':message-type'] ?? 'event';
    const type = messageType === 'event' ? headers[':event-type'] ?? '' : headers[':exception-type'] ?? headers[':error-code'] ?? messageType;
    onMessage({ messageType, type, headers, payload: message.body });
  }

  return {
    push(chunk: Buffer): void {
      if (broken) return;
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let offset = 0;
      while (pending.length - offset >= 4) {
        const total = pending.readUInt32BE(offset);
        if (total < 16 || total > maxMessageBytes) {
          broken = true;
          onInvalid();
          return;
        }
        if (pending.length - offset < total) break;
        decode(pending.subarray(offset, offset + total));
        if (broken) return;
        offset += total;
      }
      // Keep only the unfinished message; a copy so the caller's chunk can be released.
      pending = offset === pending.length ? Buffer.alloc(0) : offset === 0 ? pending : Buffer.from(pending.subarray(offset));
    },
    /** Bytes of an unfinished message at the end of the stream (a cut). */
    leftover(): number {
      return pending.length;
    },
  };
}

/** A message's payload as text (JSON for Bedrock). */
export function payloadText(message: EventStreamMessage): string {
  return utf8.decode(message.payload);
}
