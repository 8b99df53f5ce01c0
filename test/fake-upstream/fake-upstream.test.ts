// Proves the fake upstream and the fixtures are trustworthy, since every other test builds on them.
// The fixture checks parse the wire with a small SSE reader of their own and never compute usage:
// they check shape and that each expected.json talks about things that are really on its wire.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_TEXT } from './default-replies.ts';
import { DIALECTS, fixture, fixtureNames, startFakeUpstream, type Dialect, type FakeUpstream } from './fake-upstream.ts';
import { LONG_CONTENT_CHUNKS, LONG_FIXTURE_PATH, makeLongFixture } from './make-long-fixture.ts';

// ---------------------------------------------------------------- an independent SSE reader

type SseEvent = { event?: string; data: string };

/** WHATWG-style: lines end in CRLF, LF or CR; a blank line ends an event; `:` starts a comment. */
function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  let current: { event?: string; data: string[] } = { data: [] };
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') {
      if (current.data.length > 0) events.push({ event: current.event, data: current.data.join('\n') });
      current = { data: [] };
      continue;
    }
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    assert.ok(['event', 'data', 'id', 'retry'].includes(field), `unknown SSE field in line ${JSON.stringify(line.slice(0, 60))}`);
    if (field === 'event') current.event = value;
    if (field === 'data') current.data.push(value);
  }
  assert.equal(current.data.length, 0, 'the last SSE event is not terminated by a blank line');
  return events;
}

// ---------------------------------------------------------------- fixtures

const REQUIRED: Record<Dialect, string[]> = {
  'openai-chat': ['text.sse', 'tool-calls.sse', 'text-no-usage.sse', 'text.json', 'tool-calls.json', 'embeddings.json', 'long.sse'],
  'openai-responses': ['text.sse', 'function-call.sse', 'text.json'],
  'anthropic-messages': ['text.sse', 'tool-use.sse', 'thinking.sse', 'text.json', 'tool-use.json', 'count-tokens.json', 'overloaded-midstream.sse', 'overloaded.error.json'],
  gemini: ['text.sse', 'function-call.sse', 'text.json-array', 'text.json', 'count-tokens.json', 'cached.json'],
};
const ERRORS = ['rate-limit.error.json', 'bad-request.error.json', 'server.error.json'];
const USAGE_KEYS = ['inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'cacheWrite5mTokens', 'cacheWrite1hTokens', 'reasoningTokens'];
const TOP_KEYS = ['usage', 'toolCalls', 'finishReason', 'model', 'status', 'headers'];

const all = DIALECTS.flatMap((dialect) => fixtureNames(dialect).map((name) => ({ dialect, name })));

describe('fixtures', () => {
  test('every dialect has the required fixtures, each with its expected.json', () => {
    for (const dialect of DIALECTS) {
      const names = fixtureNames(dialect);
      for (const name of [...REQUIRED[dialect], ...ERRORS]) assert.ok(names.includes(name), `${dialect}/${name} is missing`);
      for (const name of names) assert.doesNotThrow(() => fixture(dialect, name), `${dialect}/${name} has no readable ${name}.expected.json`);
    }
  });

  for (const { dialect, name } of all) {
    test(`${dialect}/${name}: expected.json has the required shape`, () => {
      const { expected } = fixture(dialect, name);
      for (const key of Object.keys(expected)) assert.ok(TOP_KEYS.includes(key), `unknown key ${key}`);
      assert.equal(typeof expected.usage, 'object');
      for (const [key, value] of Object.entries(expected.usage)) {
        assert.ok(USAGE_KEYS.includes(key), `unknown usage key ${key}`);
        assert.ok(Number.isInteger(value) && value >= 0, `usage.${key} must be a token count`);
      }
      // The TTL split never appears without the total it splits.
      if (expected.usage.cacheWrite5mTokens !== undefined || expected.usage.cacheWrite1hTokens !== undefined) {
        assert.equal((expected.usage.cacheWrite5mTokens ?? 0) + (expected.usage.cacheWrite1hTokens ?? 0), expected.usage.cacheWriteTokens);
      }
      assert.ok(Array.isArray(expected.toolCalls));
      for (const call of expected.toolCalls) {
        assert.equal(typeof call.name, 'string');
        assert.equal(typeof call.arguments, 'string');
        assert.doesNotThrow(() => JSON.parse(call.arguments), `arguments of ${call.name} are not JSON`);
        if (call.id !== undefined) assert.equal(typeof call.id, 'string');
      }
      assert.ok(Number.isInteger(expected.status) && expected.status >= 200 && expected.status < 600);
      assert.equal(typeof expected.headers['content-type'], 'string');
      for (const value of Object.values(expected.headers)) assert.equal(typeof value, 'string');
      if (expected.finishReason !== undefined) assert.equal(typeof expected.finishReason, 'string');
      if (expected.model !== undefined) assert.equal(typeof expected.model, 'string');
      if (name.endsWith('.error.json')) {
        assert.ok(expected.status >= 400);
        assert.deepEqual(expected.usage, {});
      } else {
        assert.equal(expected.status, 200);
      }
      if (name.startsWith('rate-limit.')) assert.match(expected.headers['retry-after'] ?? '', /^\d+$/);
    });

    test(`${dialect}/${name}: the wire parses and splits into events that rebuild it`, () => {
      const { text, events } = fixture(dialect, name);
      assert.equal(events.join(''), text);
      if (name.endsWith('.sse')) {
        const parsed = parseSse(text);
        assert.equal(parsed.length, events.length, 'one piece per SSE event');
        events.forEach((piece, i) => assert.equal(parseSse(piece).length, 1, `piece ${i} is not exactly one event`));
        for (const event of parsed) {
          if (event.data === '[DONE]') continue;
          const data = JSON.parse(event.data) as { type?: string };
          // Anthropic and Responses name each event after its `type` (§1.2, §1.3).
          if (event.event !== undefined) assert.equal(event.event, data.type);
        }
        const done = parsed.filter((event) => event.data === '[DONE]').length;
        assert.equal(done, dialect === 'openai-chat' ? 1 : 0, '[DONE] only ends OpenAI chat streams');
        if (dialect === 'openai-chat') assert.equal(parsed.at(-1)?.data, '[DONE]');
        // Gemini frames with CRLF only; the others with LF only (§1).
        if (dialect === 'gemini') assert.doesNotMatch(text.replace(/\r\n/g, ''), /[\r\n]/);
        else assert.doesNotMatch(text, /\r/);
      } else if (name.endsWith('.json-array')) {
        const array = JSON.parse(text) as unknown[];
        assert.ok(Array.isArray(array));
        assert.equal(events.length, array.length + 1, 'one piece per element, then the closing bracket');
        assert.equal(events.at(-1), ']');
        events.slice(0, -1).forEach((piece, i) => assert.deepEqual(JSON.parse(piece.replace(/^\[|^,\r\n/, '')), array[i]));
        assert.ok(text.includes('\n,\r\n'), "Google separates elements with \\n,\\r\\n");
      } else {
        assert.equal(events.length, 1);
        const body = JSON.parse(text) as Record<string, unknown>;
        if (name.endsWith('.error.json')) assert.ok('error' in body);
      }
    });

    test(`${dialect}/${name}: what expected.json names is on the wire`, () => {
      const { text, expected } = fixture(dialect, name);
      if (expected.model !== undefined) assert.ok(text.includes(`"${expected.model}"`), `model ${expected.model} not on the wire`);
      if (expected.finishReason !== undefined) assert.ok(text.includes(`"${expected.finishReason}"`), `finish reason ${expected.finishReason} not on the wire`);
      for (const call of expected.toolCalls) {
        assert.ok(text.includes(`"${call.name}"`), `tool ${call.name} not on the wire`);
        if (call.id !== undefined) assert.ok(text.includes(`"${call.id}"`), `tool call id ${call.id} not on the wire`);
      }
      // Every number the tap reports that is not computed (Anthropic input, Gemini output) is printed in the wire.
      const { inputTokens, outputTokens, ...plain } = expected.usage;
      for (const [key, value] of Object.entries(plain)) assert.match(text, new RegExp(`\\D${value}\\D`), `${key}=${value} not on the wire`);
      if (dialect !== 'anthropic-messages' && inputTokens !== undefined) assert.match(text, new RegExp(`\\D${inputTokens}\\D`));
      if (dialect !== 'gemini' && outputTokens !== undefined) assert.match(text, new RegExp(`\\D${outputTokens}\\D`));
    });
  }

  test('long.sse is the generator output: exactly 1000 content chunks, then finish, usage and [DONE]', () => {
    assert.equal(readFileSync(LONG_FIXTURE_PATH, 'utf8'), makeLongFixture(), 'run test/fake-upstream/make-long-fixture.ts');
    const events = parseSse(fixture('openai-chat', 'long.sse').text);
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.data) as { choices: { delta: { content?: string }; finish_reason: string | null }[]; usage: unknown });
    assert.equal(chunks.filter((chunk) => chunk.choices[0]?.delta.content).length, LONG_CONTENT_CHUNKS);
    assert.equal(chunks.at(-2)?.choices[0]?.finish_reason, 'stop');
    assert.deepEqual(chunks.at(-1)?.choices, []);
    assert.ok(chunks.at(-1)?.usage);
    assert.equal(events.at(-1)?.data, '[DONE]');
  });

  test('fixture().reply() carries the expected status, headers and bytes', () => {
    const sse = fixture('anthropic-messages', 'tool-use.sse').reply({ chunkDelayMs: 5 });
    assert.equal(sse.status, 200);
    assert.equal(sse.chunkDelayMs, 5);
    assert.equal(sse.chunks?.join(''), fixture('anthropic-messages', 'tool-use.sse').text);
    const limited = fixture('gemini', 'rate-limit.error.json').reply();
    assert.equal(limited.status, 429);
    assert.equal(limited.headers?.['retry-after'], '37');
    assert.equal(limited.chunks, undefined);
    assert.equal(typeof limited.body, 'string');
  });
});

// ---------------------------------------------------------------- the server

/** Raw reads as node:http delivers them, so chunk boundaries are visible. */
function readRaw(url: string, init: { method?: string; body?: string } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; reads: string[]; error?: Error }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: init.method ?? 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      const reads: string[] = [];
      res.setEncoding('utf8');
      res.on('data', (data: string) => reads.push(data));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, reads }));
      res.on('error', (error) => resolve({ status: res.statusCode ?? 0, headers: res.headers, reads, error }));
    });
    req.on('error', reject);
    req.end(init.body ?? '{}');
  });
}

async function post(upstream: FakeUpstream, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(upstream.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

describe('fake upstream server', () => {
  let upstream: FakeUpstream;
  before(async () => {
    upstream = await startFakeUpstream();
  });
  after(() => upstream.close());

  test('listens on loopback with a random port', () => {
    assert.match(upstream.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test('each chunk arrives as its own read', async () => {
    const chunks = ['data: one\n\n', 'data: two\n\n', 'data: three\n\n', 'data: four\n\n'];
    upstream.reply({ headers: { 'content-type': 'text/event-stream' }, chunks, chunkDelayMs: 25 });
    const result = await readRaw(upstream.url + '/v1/chat/completions');
    assert.deepEqual(result.reads, chunks);
  });

  test('a fixture replays byte for byte, even 1000 chunks with no delay', async () => {
    const long = fixture('openai-chat', 'long.sse');
    upstream.reply(long.reply());
    const response = await post(upstream, '/v1/chat/completions', { model: 'gpt-4.1', stream: true });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), long.expected.headers['content-type']);
    assert.equal(await response.text(), long.text);
  });

  test('cutAfterChunks delivers that many chunks, then the connection dies', async () => {
    const chunks = ['data: 1\n\n', 'data: 2\n\n', 'data: 3\n\n', 'data: 4\n\n'];
    upstream.reply({ chunks, cutAfterChunks: 2, chunkDelayMs: 5 });
    const before = upstream.requests.length;
    const result = await readRaw(upstream.url + '/v1/messages');
    assert.ok(result.error, 'the client must see the stream break');
    assert.equal(result.reads.join(''), chunks.slice(0, 2).join(''));
    assert.equal(upstream.requests[before]?.aborted, false, 'a cut by the upstream is not a client abort');
  });

  test('replies are used in FIFO order, one per request; functions see the request', async () => {
    upstream.reply({ status: 201, body: 'first' });
    upstream.reply((request) => ({ status: 202, body: `second ${request.method} ${request.path}` }));
    upstream.reply({ status: 203, body: 'third' });
    const first = await post(upstream, '/anything', {});
    const second = await post(upstream, '/v1/messages?beta=true', { model: 'm' });
    const third = await post(upstream, '/anything', {});
    assert.deepEqual([first.status, second.status, third.status], [201, 202, 203]);
    assert.equal(await second.text(), 'second POST /v1/messages?beta=true');
    await first.text();
    await third.text();
  });

  test('records method, path with query, headers, body and parsed JSON', async () => {
    const before = upstream.requests.length;
    const response = await post(upstream, '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', { contents: [] }, { 'x-goog-api-key': 'k' });
    await response.text();
    const request = upstream.requests[before];
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    assert.equal(request.headers['x-goog-api-key'], 'k');
    assert.equal(request.body.toString(), '{"contents":[]}');
    assert.deepEqual(request.json, { contents: [] });
    assert.ok(request.receivedAt <= Date.now());
    assert.equal(request.aborted, false);
  });

  test('delayMs holds the headers back', async () => {
    upstream.reply({ delayMs: 80, body: 'late' });
    const start = performance.now();
    const response = await post(upstream, '/x', {});
    assert.ok(performance.now() - start >= 70);
    assert.equal(await response.text(), 'late');
  });

  test('hang never answers; a client that gives up is recorded as aborted', async () => {
    upstream.reply({ hang: true });
    const before = upstream.requests.length;
    const controller = new AbortController();
    const call = fetch(upstream.url + '/v1/messages', { method: 'POST', body: '{}', signal: controller.signal });
    await upstream.waitForRequests(before + 1);
    assert.equal(upstream.requests[before].aborted, false);
    controller.abort();
    await assert.rejects(call);
    await upstream.waitFor((requests) => requests[before].aborted);
  });

  test('a client leaving mid-stream is recorded as aborted', async () => {
    upstream.reply({ chunks: Array.from({ length: 50 }, (_, i) => `data: ${i}\n\n`), chunkDelayMs: 20 });
    const before = upstream.requests.length;
    const controller = new AbortController();
    const response = await fetch(upstream.url + '/v1/chat/completions', { method: 'POST', body: '{}', signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await upstream.waitFor((requests) => requests[before]?.aborted === true);
  });

  test('waitForRequests rejects with a clear message on timeout', async () => {
    await assert.rejects(upstream.waitForRequests(upstream.requests.length + 1, 50), /within 50 ms/);
  });
});

describe('default replies (empty queue)', () => {
  let upstream: FakeUpstream;
  before(async () => {
    upstream = await startFakeUpstream();
  });
  after(() => upstream.close());

  test('POST /v1/messages answers JSON, or SSE when body.stream', async () => {
    const plain = await post(upstream, '/v1/messages?beta=true', { model: 'claude-sonnet-4-5', max_tokens: 10, messages: [] });
    const message = (await plain.json()) as { model: string; content: { text: string }[]; stop_reason: string; usage: { input_tokens: number } };
    assert.equal(message.model, 'claude-sonnet-4-5');
    assert.equal(message.content[0].text, DEFAULT_TEXT);
    assert.equal(message.stop_reason, 'end_turn');
    assert.ok(message.usage.input_tokens > 0);

    const streamed = await post(upstream, '/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 10, messages: [], stream: true });
    assert.match(streamed.headers.get('content-type') ?? '', /^text\/event-stream/);
    const events = parseSse(await streamed.text());
    assert.deepEqual(events.map((event) => event.event), ['message_start', 'content_block_start', 'ping', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    const text = events.filter((event) => event.event === 'content_block_delta').map((event) => (JSON.parse(event.data) as { delta: { text: string } }).delta.text).join('');
    assert.equal(text, DEFAULT_TEXT);
  });

  test('POST /v1/messages/count_tokens', async () => {
    const body = (await (await post(upstream, '/v1/messages/count_tokens', { model: 'claude-sonnet-4-5', messages: [] })).json()) as { input_tokens: number };
    assert.ok(Number.isInteger(body.input_tokens) && body.input_tokens > 0);
  });

  test('POST /v1/chat/completions: JSON, and streams with the usage chunk only when asked', async () => {
    const plain = (await (await post(upstream, '/v1/chat/completions', { model: 'gpt-4.1', messages: [] })).json()) as { choices: { message: { content: string } }[]; usage: unknown };
    assert.equal(plain.choices[0].message.content, DEFAULT_TEXT);
    assert.ok(plain.usage);

    const without = parseSse(await (await post(upstream, '/v1/chat/completions', { model: 'gpt-4.1', stream: true, messages: [] })).text());
    assert.equal(without.at(-1)?.data, '[DONE]');
    for (const event of without.slice(0, -1)) assert.ok(!('usage' in (JSON.parse(event.data) as object)), 'no usage key without include_usage');

    const withUsage = parseSse(await (await post(upstream, '/v1/chat/completions', { model: 'gpt-4.1', stream: true, stream_options: { include_usage: true }, messages: [] })).text());
    const chunks = withUsage.slice(0, -1).map((event) => JSON.parse(event.data) as { choices: { delta: { content?: string } }[]; usage: { prompt_tokens: number } | null });
    assert.equal(chunks.at(-1)?.choices.length, 0);
    assert.ok((chunks.at(-1)?.usage?.prompt_tokens ?? 0) > 0);
    assert.ok(chunks.slice(0, -1).every((chunk) => chunk.usage === null));
    assert.equal(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join(''), DEFAULT_TEXT);
  });

  test('POST /v1/responses: JSON, and SSE ending in response.completed with usage', async () => {
    const plain = (await (await post(upstream, '/v1/responses', { model: 'gpt-5', input: 'hi' })).json()) as { status: string; output: { content: { text: string }[] }[] };
    assert.equal(plain.status, 'completed');
    assert.equal(plain.output[0].content[0].text, DEFAULT_TEXT);

    const events = parseSse(await (await post(upstream, '/v1/responses', { model: 'gpt-5', input: 'hi', stream: true })).text());
    assert.equal(events[0].event, 'response.created');
    const last = JSON.parse(events.at(-1)!.data) as { type: string; response: { model: string; usage: { output_tokens: number } } };
    assert.equal(last.type, 'response.completed');
    assert.equal(last.response.model, 'gpt-5');
    assert.ok(last.response.usage.output_tokens > 0);
    assert.ok(!events.some((event) => event.data === '[DONE]'));
  });

  test('POST /v1/embeddings: one vector per input, floats or base64', async () => {
    const floats = (await (await post(upstream, '/v1/embeddings', { model: 'text-embedding-3-small', input: ['a', 'b'] })).json()) as { data: { embedding: number[] }[]; usage: { prompt_tokens: number } };
    assert.equal(floats.data.length, 2);
    assert.equal(floats.data[0].embedding.length, 8);
    const base64 = (await (await post(upstream, '/v1/embeddings', { model: 'text-embedding-3-small', input: 'a', encoding_format: 'base64', dimensions: 4 })).json()) as { data: { embedding: string }[] };
    assert.equal(Buffer.from(base64.data[0].embedding, 'base64').length, 4 * 4);
  });

  test('Gemini generateContent, streamGenerateContent (SSE and JSON array) and countTokens', async () => {
    const model = 'gemini-2.5-flash';
    const whole = (await (await post(upstream, `/v1beta/models/${model}:generateContent`, { contents: [] })).json()) as { candidates: { content: { parts: { text: string }[] } }[]; modelVersion: string };
    assert.equal(whole.candidates[0].content.parts[0].text, DEFAULT_TEXT);
    assert.equal(whole.modelVersion, model);

    const sseText = await (await post(upstream, `/v1beta/models/${model}:streamGenerateContent?alt=sse`, { contents: [] })).text();
    assert.doesNotMatch(sseText.replace(/\r\n/g, ''), /[\r\n]/, 'CRLF framing');
    const sseParts = parseSse(sseText).map((event) => (JSON.parse(event.data) as { candidates: { content: { parts: { text: string }[] } }[] }).candidates[0].content.parts[0].text);
    assert.equal(sseParts.join(''), DEFAULT_TEXT);

    const arrayText = await (await post(upstream, `/v1beta/models/${model}:streamGenerateContent`, { contents: [] })).text();
    assert.ok(arrayText.startsWith('[{') && arrayText.includes('\n,\r\n') && arrayText.endsWith('\n]'));
    assert.equal((JSON.parse(arrayText) as unknown[]).length, 2);

    for (const version of ['v1', 'v1beta']) {
      const counted = (await (await post(upstream, `/${version}/models/${model}:countTokens`, { contents: [] })).json()) as { totalTokens: number };
      assert.ok(counted.totalTokens > 0);
    }
  });

  test('GET /v1/models in OpenAI or Anthropic shape, GET /v1beta/models in Gemini shape', async () => {
    const openai = (await (await fetch(upstream.url + '/v1/models')).json()) as { object: string; data: { id: string }[] };
    assert.equal(openai.object, 'list');
    assert.ok(openai.data.some((model) => model.id === 'gpt-4.1'));
    const anthropic = (await (await fetch(upstream.url + '/v1/models', { headers: { 'anthropic-version': '2023-06-01' } })).json()) as { data: { type: string }[]; has_more: boolean };
    assert.equal(anthropic.data[0].type, 'model');
    assert.equal(anthropic.has_more, false);
    const gemini = (await (await fetch(upstream.url + '/v1beta/models')).json()) as { models: { name: string }[] };
    assert.ok(gemini.models.some((model) => model.name === 'models/gemini-2.5-flash'));
  });

  test('any other path is a 404 with a JSON error', async () => {
    const response = await post(upstream, '/v2/unknown', {});
    assert.equal(response.status, 404);
    const body = (await response.json()) as { error: { message: string } };
    assert.match(body.error.message, /no route for POST \/v2\/unknown/);
  });

  test('close() returns even with a request left hanging', async () => {
    const lonely = await startFakeUpstream();
    lonely.reply({ hang: true });
    const call = fetch(lonely.url + '/v1/messages', { method: 'POST', body: '{}' }).catch((error: unknown) => error);
    await lonely.waitForRequests(1);
    await lonely.close();
    assert.ok((await call) instanceof Error);
  });
});
