import { StringDecoder } from 'node:string_decoder';
import { createEventStreamFramer, payloadText } from './event-stream-framer.ts';
import { exceptionEvent, type ResponseReader } from './facts.ts';
import { createJsonArrayFramer } from './json-array-framer.ts';
import { createSseFramer } from './sse-framer.ts';

/** How a response body is cut into events the reader understands. */
export type Framing = 'sse' | 'json-array' | 'json' | 'aws-event-stream';

/** Bodies larger than this are forwarded but not parsed for usage (a JSON body is parsed whole). */
const maxParsedJsonBytes = 64 * 1024 * 1024;

function parseJson(text: string | undefined): unknown {
  if (text === undefined || text === '' || text === '[DONE]') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // an unknown frame is observed as nothing; it is never a broken stream
  }
}

/** What the relay needs from a tap; re-framing taps (providers/bedrock) wrap one. */
export type Tap = {
  push(chunk: Buffer, write: (bytes: Buffer) => void): void;
  end(write: (bytes: Buffer) => void): void;
  facts: ResponseReader['facts'];
};

/** Cuts one response body into events for the reader: the framer of its framing, and only that one. */
type Observer = { push(chunk: Buffer): void; end(): void };

function observerFor(framing: Framing, reader: ResponseReader, onSseEvent: (raw: string, keep: boolean) => void): Observer {
  switch (framing) {
    case 'sse': {
      const decoder = new StringDecoder('utf8');
      const sse = createSseFramer(({ data, event, raw }) => onSseEvent(raw, reader.read(parseJson(data), event) !== false));
      return {
        push: (chunk) => sse.push(decoder.write(chunk)),
        end: () => {
          sse.push(decoder.end());
          sse.end();
        },
      };
    }
    case 'json-array': {
      const decoder = new StringDecoder('utf8');
      const array = createJsonArrayFramer((text) => reader.read(parseJson(text)));
      return { push: (chunk) => array.push(decoder.write(chunk)), end: () => {} };
    }
    case 'json': {
      // A JSON body is parsed whole at its end; the chunks are kept by reference until then.
      const whole: Buffer[] = [];
      let wholeBytes = 0;
      return {
        push(chunk) {
          wholeBytes += chunk.length;
          if (wholeBytes <= maxParsedJsonBytes) whole.push(chunk);
        },
        end() {
          if (wholeBytes <= maxParsedJsonBytes && whole.length > 0) reader.read(parseJson(Buffer.concat(whole, wholeBytes).toString('utf8')));
        },
      };
    }
    case 'aws-event-stream': {
      const binary = createEventStreamFramer((message) => {
        const value = parseJson(payloadText(message));
        if (message.messageType === 'event') reader.read(value, message.type);
        // Exceptions mid-stream (throttling, model errors) arrive after HTTP 200 (providers.md §1.5).
        else reader.read({ type: message.type, message: (value as { message?: unknown } | undefined)?.message }, exceptionEvent);
      });
      return { push: (chunk) => binary.push(chunk), end: () => {} };
    }
  }
}

/**
 * Sits beside a response stream. In pass-through mode every chunk is forwarded first, as it
 * arrived, and only then observed. In filter mode (only when the gateway itself asked for an extra
 * event the client did not, e.g. OpenAI's usage chunk) whole SSE events are forwarded verbatim and
 * the reader may drop one.
 */
export function createTap(framing: Framing, reader: ResponseReader, options: { filter: boolean }): Tap {
  const filter = options.filter && framing === 'sse';
  let forward: (bytes: Buffer) => void = () => {};
  const observer = observerFor(framing, reader, (raw, keep) => {
    if (filter && keep) forward(Buffer.from(raw));
  });
  return {
    /** Forwards (unless filtering) and observes one upstream chunk. */
    push(chunk: Buffer, write: (bytes: Buffer) => void): void {
      forward = write;
      if (!filter) write(chunk);
      observer.push(chunk);
    },
    /** The upstream body ended (completely or not): flush what is buffered. */
    end(write: (bytes: Buffer) => void): void {
      forward = write;
      observer.end();
    },
    facts: () => reader.facts(),
  };
}
