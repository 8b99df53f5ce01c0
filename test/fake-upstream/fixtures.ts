// Loads the wire-format fixtures under src/dialects/<dialect>/__fixtures__/ and turns them into
// replies for the fake upstream. Each response file `<name>` (e.g. `text.sse`, `rate-limit.error.json`)
// has a sibling `<name>.expected.json` saying what a correct metering tap extracts from it, and which
// status and headers the upstream answers with. The full file name is the key because `text.sse`
// and `text.json` are different responses in the same folder.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FakeReply } from './fake-upstream.ts';
import type { ToolCall } from '../../src/metering/facts.ts';
import type { Usage } from '../../src/metering/usage.ts';

export type Dialect = 'openai-chat' | 'openai-responses' | 'anthropic-messages' | 'gemini';
export const DIALECTS: readonly Dialect[] = ['openai-chat', 'openai-responses', 'anthropic-messages', 'gemini'];

/** The gateway's own shapes: absent means the wire did not report it; 0 means the wire said 0 (providers.md §0). */
export type ExpectedUsage = Usage;
export type ExpectedToolCall = ToolCall;

export type Expected = {
  usage: ExpectedUsage;
  toolCalls: ExpectedToolCall[];
  finishReason?: string;
  model?: string;
  status: number;
  headers: Record<string, string>;
};

export type Fixture = {
  dialect: Dialect;
  name: string;
  path: string;
  /** The response body exactly as it goes on the wire. */
  text: string;
  /** `text` split into the pieces the fake writes: one per SSE event / JSON-array element; concatenated they equal `text`. */
  events: string[];
  expected: Expected;
  /** A ready-made reply: the expected status and headers, streams as chunks, bodies whole. */
  reply(options?: Partial<FakeReply>): FakeReply;
};

const DIALECTS_DIR = fileURLToPath(new URL('../../src/dialects/', import.meta.url));
const EXPECTED_SUFFIX = '.expected.json';
const files = new Map<string, string>();

function read(path: string): string {
  let text = files.get(path);
  if (text === undefined) {
    text = readFileSync(path, 'utf8');
    files.set(path, text);
  }
  return text;
}

export function fixtureDir(dialect: Dialect): string {
  return join(DIALECTS_DIR, dialect, '__fixtures__');
}

/** Every response fixture of a dialect (the files that are not `.expected.json`), sorted. */
export function fixtureNames(dialect: Dialect): string[] {
  return readdirSync(fixtureDir(dialect)).filter((name) => !name.endsWith(EXPECTED_SUFFIX)).sort();
}

/** Streams are served in pieces; everything else is one body. */
export function isStream(name: string): boolean {
  return name.endsWith('.sse') || name.endsWith('.json-array');
}

/**
 * SSE: one piece per event, each keeping its blank-line terminator (LF, CRLF or CR — Gemini uses CRLF).
 * JSON array (Gemini without alt=sse): `[{…}\n`, then `,\r\n{…}\n` per further element, then `]`.
 */
export function splitEvents(name: string, text: string): string[] {
  if (name.endsWith('.sse')) return text.split(/(?<=\r\n\r\n|\n\n|\r\r)/).filter((piece) => piece !== '');
  if (name.endsWith('.json-array')) {
    const pieces = text.split(/(?=,\r\n)/);
    const last = pieces.pop() ?? '';
    const close = last.lastIndexOf(']');
    return [...pieces, last.slice(0, close), last.slice(close)].filter((piece) => piece !== '');
  }
  return [text];
}

export function fixture(dialect: Dialect, name: string): Fixture {
  const path = join(fixtureDir(dialect), name);
  const text = read(path);
  const expected = JSON.parse(read(path + EXPECTED_SUFFIX)) as Expected;
  const events = splitEvents(name, text);
  return {
    dialect,
    name,
    path,
    text,
    events: [...events],
    expected,
    reply(options = {}) {
      const base: FakeReply = isStream(name)
        ? { status: expected.status, headers: { ...expected.headers }, chunks: [...events] }
        : { status: expected.status, headers: { ...expected.headers }, body: text };
      return { ...base, ...options };
    },
  };
}
