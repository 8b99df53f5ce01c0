import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSseFramer, type SseEvent } from './sse-framer.ts';

function frame(pieces: string[]): SseEvent[] {
  const events: SseEvent[] = [];
  const framer = createSseFramer((event) => events.push(event));
  for (const piece of pieces) framer.push(piece);
  framer.end();
  return events;
}

const stream = 'event: message_start\ndata: {"a":1}\n\n: keepalive\n\ndata: line one\ndata: line two\n\nevent: ping\r\ndata: {"b":2}\r\n\r\ndata: [DONE]\n\n';

test('events, comments, multi-line data and CRLF are read, and the raw texts add up to the input', () => {
  const events = frame([stream]);
  assert.deepEqual(
    events.map(({ event, data }) => [event, data]),
    [['message_start', '{"a":1}'], [undefined, undefined], [undefined, 'line one\nline two'], ['ping', '{"b":2}'], [undefined, '[DONE]']],
  );
  assert.equal(events.map((event) => event.raw).join(''), stream);
});

test('the same events come out whatever the chunk boundaries, including a CRLF split in two', () => {
  const whole = frame([stream]);
  for (const size of [1, 2, 3, 7, 13]) {
    const pieces: string[] = [];
    for (let i = 0; i < stream.length; i += size) pieces.push(stream.slice(i, i + size));
    assert.deepEqual(frame(pieces), whole, `pieces of ${size}`);
  }
});

test('a stream cut before its blank line still yields the last event, and no byte is lost', () => {
  const events = frame(['data: {"x":1}\n\ndata: {"y"', ':2}']);
  assert.deepEqual(events.map((event) => event.data), ['{"x":1}', '{"y":2}']);
  assert.equal(events.map((event) => event.raw).join(''), 'data: {"x":1}\n\ndata: {"y":2}');
});
