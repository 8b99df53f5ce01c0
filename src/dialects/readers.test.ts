import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ResponseReader } from '../metering/facts.ts';
import { createTap, type Framing } from '../metering/tap.ts';
import { createUnmeteredReader } from '../metering/unmetered-reader.ts';
import { createMessagesReader } from './anthropic-messages/read-frames.ts';
import { createConverseReader, createInvokeReader } from './bedrock/read-frames.ts';
import { createGenerateContentReader } from './gemini/read-frames.ts';
import { createChatReader } from './openai-chat/read-frames.ts';
import { createResponsesReader } from './openai-responses/read-frames.ts';

// Every fixture (a real wire capture shape) against what its `.expected.json` says a correct
// tap must extract — whatever the chunk boundaries.
type Headers = Record<string, string>;
const readers: Record<string, (name: string, headers: Headers) => ResponseReader> = {
  'openai-chat': () => createChatReader({ injectedUsage: false }),
  'openai-responses': createResponsesReader,
  'anthropic-messages': createMessagesReader,
  gemini: createGenerateContentReader,
  // Bedrock's InvokeModel bodies are the model's own; Converse is Bedrock's. Headers carry usage too.
  bedrock: (name, headers) => (name.startsWith('converse') ? createConverseReader() : createInvokeReader({ headers })),
};

function framingOf(name: string): Framing {
  if (name.endsWith('.sse')) return 'sse';
  if (name.endsWith('.eventstream')) return 'aws-event-stream';
  return name.endsWith('.json-array') ? 'json-array' : 'json';
}

function readAll(reader: ResponseReader, framing: Framing, bytes: Buffer, pieceSize: number) {
  const tap = createTap(framing, reader, { filter: false });
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += pieceSize) tap.push(bytes.subarray(i, i + pieceSize), (chunk) => out.push(chunk));
  tap.end((chunk) => out.push(chunk));
  assert.ok(Buffer.concat(out).equals(bytes), 'the tap forwards the bytes unchanged');
  return tap.facts();
}

for (const dialect of Object.keys(readers)) {
  const folder = join(import.meta.dirname, dialect, '__fixtures__');
  for (const name of readdirSync(folder)) {
    if (name.endsWith('.expected.json') || name.endsWith('.error.json')) continue;
    test(`${dialect}/${name}: usage, tool calls, finish reason and model`, () => {
      const bytes = readFileSync(join(folder, name));
      const expected = JSON.parse(readFileSync(join(folder, `${name}.expected.json`), 'utf8'));
      const free = name.startsWith('count-tokens');
      for (const pieceSize of [bytes.length, 7]) {
        const facts = readAll(free ? createUnmeteredReader() : readers[dialect](name, expected.headers ?? {}), framingOf(name), bytes, pieceSize);
        assert.deepEqual(facts.usage, expected.usage, 'usage');
        assert.deepEqual(facts.toolCalls, expected.toolCalls ?? [], 'tool calls');
        if (!free) {
          assert.equal(facts.finishReason, expected.finishReason, 'finish reason');
          assert.equal(facts.model, expected.model, 'model');
          if ('streamError' in expected) assert.equal(facts.streamError, expected.streamError, 'error inside the stream');
        }
      }
    });
  }
}
