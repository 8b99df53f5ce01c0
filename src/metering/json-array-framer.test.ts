import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createJsonArrayFramer } from './json-array-framer.ts';

const body = '[{"candidates":[{"content":{"parts":[{"text":"a ] } \\" ["}]}}]}\n,\r\n{"usageMetadata":{"promptTokenCount":3},"list":[1,[2]]}\n]';

function split(pieces: string[]): unknown[] {
  const elements: unknown[] = [];
  const framer = createJsonArrayFramer((text) => elements.push(JSON.parse(text)));
  for (const piece of pieces) framer.push(piece);
  return elements;
}

test('Gemini JSON-array streams split into their elements, brackets inside strings ignored', () => {
  const expected = JSON.parse(body);
  assert.deepEqual(split([body]), expected);
  for (const size of [1, 5, 11]) {
    const pieces: string[] = [];
    for (let i = 0; i < body.length; i += size) pieces.push(body.slice(i, i + size));
    assert.deepEqual(split(pieces), expected, `pieces of ${size}`);
  }
});
