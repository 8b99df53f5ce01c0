import { anthropicDialect } from '../../dialects/anthropic-messages/errors.ts';
import { GatewayError } from '../../dialects/gateway-error.ts';
import { createEventStreamFramer, payloadText } from '../../metering/event-stream-framer.ts';
import type { Tap } from '../../metering/tap.ts';
import { exceptionKind } from './errors.ts';

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function sse(event: string, data: string): Buffer {
  return Buffer.from(`event: ${event}\ndata: ${data}\n\n`);
}

/**
 * Turns InvokeModelWithResponseStream's event-stream into the Anthropic SSE that api.anthropic.com
 * sends, the way Anthropic's own Bedrock SDK does (`eventStreamToSSEResponse`): each `chunk` carries
 * the base64 of one Anthropic event, which becomes an SSE event named after its `type`. An exception
 * frame becomes an Anthropic `error` event. The wrapped tap meters (and forwards) the SSE.
 */
export function reframeToAnthropicSse(tap: Tap): Tap {
  let write: (bytes: Buffer) => void = () => {};
  const framer = createEventStreamFramer((message) => {
    if (message.messageType !== 'event') {
      const payload = parse(payloadText(message)) as { message?: unknown } | undefined;
      const text = typeof payload?.message === 'string' ? payload.message : message.type;
      tap.push(sse('error', anthropicDialect.renderError(new GatewayError(exceptionKind(message.type), text))), write);
      return;
    }
    if (message.type !== 'chunk') return;
    const bytes = (parse(payloadText(message)) as { bytes?: unknown } | undefined)?.bytes;
    if (typeof bytes !== 'string') return;
    const text = Buffer.from(bytes, 'base64').toString('utf8');
    const event = parse(text) as { type?: unknown } | undefined;
    // Frames without a type (keep-alives) have no SSE name; SSE data must be one line.
    if (typeof event?.type !== 'string') return;
    tap.push(sse(event.type, /[\r\n]/.test(text) ? JSON.stringify(event) : text), write);
  });
  return {
    push(chunk, output) {
      write = output;
      framer.push(chunk);
    },
    end(output) {
      tap.end(output);
    },
    facts: () => tap.facts(),
  };
}
