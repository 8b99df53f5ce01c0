import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requestStreamUsage, setProperty } from './json-edit.ts';

test('setProperty changes only the value it targets', () => {
  const text = '{ "model" : "openai/gpt-4.1",\n  "temperature": 1.0, "messages": [{"content": "\\u00e9"}] }';
  assert.equal(setProperty(text, ['model'], 'gpt-4.1'), '{ "model" : "gpt-4.1",\n  "temperature": 1.0, "messages": [{"content": "\\u00e9"}] }');
});

test('requestStreamUsage inserts stream_options when absent and sets include_usage when present', () => {
  const bare = '{"model":"m","stream":true}';
  const inserted = requestStreamUsage(bare, JSON.parse(bare));
  assert.deepEqual(JSON.parse(inserted), { model: 'm', stream: true, stream_options: { include_usage: true } });
  assert.ok(inserted.endsWith('"model":"m","stream":true}'), 'the client bytes follow unchanged');
  const present = '{"model":"m","stream":true,"stream_options":{"include_usage":false}}';
  assert.deepEqual(JSON.parse(requestStreamUsage(present, JSON.parse(present))).stream_options, { include_usage: true });
});
