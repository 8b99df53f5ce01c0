// Builds AWS event-stream (`application/vnd.amazon.eventstream`) messages the way Bedrock sends them,
// with Smithy's codec (the one the AWS SDK decodes with), for fixtures and fake upstreams.
import { EventStreamCodec } from '@smithy/core/event-streams';

const codec = new EventStreamCodec((bytes) => Buffer.from(bytes).toString('utf8'), (text) => Buffer.from(text, 'utf8'));
const str = (value: string) => ({ type: 'string' as const, value });

/** One `:message-type event` message; `p` is Bedrock's random-length padding field (providers.md §1.5). */
export function eventMessage(eventType: string, payload: Record<string, unknown>, padding = ''): Buffer {
  const body = Buffer.from(JSON.stringify(padding ? { ...payload, p: padding } : payload));
  return Buffer.from(codec.encode({ headers: { ':event-type': str(eventType), ':content-type': str('application/json'), ':message-type': str('event') }, body }));
}

/** InvokeModelWithResponseStream's `chunk`: the model's event JSON, base64, in `bytes`. */
export function chunkMessage(event: Record<string, unknown>, padding = 'abcdefghij'): Buffer {
  return eventMessage('chunk', { bytes: Buffer.from(JSON.stringify(event)).toString('base64') }, padding);
}

/** A mid-stream exception (`throttlingException`, `modelStreamErrorException`, …). */
export function exceptionMessage(exceptionType: string, message: string): Buffer {
  const body = Buffer.from(JSON.stringify({ message }));
  return Buffer.from(
    codec.encode({ headers: { ':exception-type': str(exceptionType), ':content-type': str('application/json'), ':message-type': str('exception') }, body }),
  );
}

/** The messages of an event-stream body, by their length prefixes. */
export function splitMessages(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let offset = 0; offset + 4 <= bytes.length; ) {
    const total = bytes.readUInt32BE(offset);
    out.push(bytes.subarray(offset, offset + total));
    offset += total;
  }
  return out;
}

/** Decodes a body into `{type, payload}` per message (tests assert on what a client would see). */
export function decodeMessages(bytes: Buffer): { messageType: string; type: string; payload: unknown }[] {
  return splitMessages(bytes).map((frame) => {
    const message = codec.decode(frame);
    const header = (name: string) => String(message.headers[name]?.value ?? '');
    const messageType = header(':message-type');
    return { messageType, type: messageType === 'event' ? header(':event-type') : header(':exception-type'), payload: JSON.parse(Buffer.from(message.body).toString('utf8')) };
  });
}
