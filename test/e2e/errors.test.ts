import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { fixture } from '../fake-upstream/fake-upstream.ts';
import { post, recorded, startHarness, type Harness } from './harness.ts';

let h: Harness;
before(async () => {
  h = await startHarness(() => ({
    providers: { dead: { baseurl: 'http://127.0.0.1:9', apikey: 'sk-dead-secret', models: ['dead-model'] } },
    limits: { max_body_bytes: 1024 },
    timeouts: { headers_ms: 500, request_body_ms: 300 },
  }));
});
after(() => h.close());

async function expectError(response: Response, status: number, shape: 'openai' | 'anthropic' | 'gemini', pattern: RegExp) {
  assert.equal(response.status, status);
  assert.ok(response.headers.get('x-request-id'), 'the gateway names the request');
  const body = (await response.json()) as { type?: string; error: { message: string; code?: number; type?: string } };
  const message = shape === 'anthropic' ? (assert.equal(body.type, 'error'), body.error.message) : body.error.message;
  if (shape === 'gemini') assert.equal(body.error.code, status);
  if (shape === 'openai') assert.ok('type' in body.error && 'code' in body.error);
  assert.match(message, pattern);
}

test('upstream errors pass through with their status, body and retry-after', async () => {
  for (const [dialect, name, path, body] of [
    ['anthropic-messages', 'rate-limit.error.json', '/v1/messages', { model: 'claude-haiku-4-5', max_tokens: 5, messages: [] }],
    ['anthropic-messages', 'overloaded.error.json', '/v1/messages', { model: 'claude-haiku-4-5', max_tokens: 5, messages: [] }],
    ['openai-chat', 'bad-request.error.json', '/v1/chat/completions', { model: 'gpt-4.1', messages: [] }],
    ['openai-chat', 'server.error.json', '/v1/chat/completions', { model: 'gpt-4.1', messages: [] }],
    ['gemini', 'rate-limit.error.json', '/v1beta/models/gemini-2.5-flash:generateContent', { contents: [] }],
  ] as const) {
    const f = fixture(dialect, name);
    h.fake.reply(f.reply());
    const response = await post(`${h.url}${path}`, body);
    assert.equal(response.status, f.expected.status, name);
    assert.equal(await response.text(), f.text, name);
    if (f.expected.headers['retry-after']) assert.equal(response.headers.get('retry-after'), f.expected.headers['retry-after']);
  }
});

test('unknown models are 404 in the caller dialect and name nothing secret', async () => {
  await expectError(await post(`${h.url}/v1/chat/completions`, { model: 'gpt-9', messages: [] }), 404, 'openai', /model "gpt-9" is not available/);
  await expectError(await post(`${h.url}/v1/messages`, { model: 'claude-9', max_tokens: 1, messages: [] }), 404, 'anthropic', /claude-9/);
  await expectError(await post(`${h.url}/v1beta/models/gemini-9:generateContent`, { contents: [] }), 404, 'gemini', /gemini-9/);
  await expectError(await post(`${h.url}/v1/responses`, { model: 'claude-haiku-4-5', input: 'x' }), 404, 'openai', /not served on \/v1\/responses/);
});

test('bad input: malformed JSON, missing model, wrong content type, oversized body, unknown path', async () => {
  await expectError(await post(`${h.url}/v1/chat/completions`, '{"model": "gpt-4.1",'), 400, 'openai', /not valid JSON/);
  await expectError(await post(`${h.url}/v1/messages`, { max_tokens: 1, messages: [] }), 400, 'anthropic', /"model"/);
  await expectError(await post(`${h.url}/v1/chat/completions`, '[1,2]'), 400, 'openai', /JSON object/);
  await expectError(await post(`${h.url}/v1/chat/completions`, 'model=gpt-4.1', { 'content-type': 'text/plain' }), 415, 'openai', /content-type/);
  await expectError(await post(`${h.url}/v1/messages`, { model: 'claude-haiku-4-5', pad: 'x'.repeat(2000) }), 413, 'anthropic', /larger than the gateway's limit of 1024 bytes/);
  await expectError(await post(`${h.url}/v1/nothing`, {}), 404, 'openai', /no route/);
  await expectError(await fetch(`${h.url}/v1/messages`), 405, 'openai', /not allowed/);
});

test('an upstream that cannot be reached or does not answer in time is a 502 / 504 without its address', async () => {
  const response = await post(`${h.url}/v1/chat/completions`, { model: 'dead-model', messages: [] });
  const text = await response.clone().text();
  assert.ok(!text.includes('127.0.0.1:9') && !text.includes('sk-dead-secret') && !text.includes('ECONNREFUSED'));
  await expectError(response, 502, 'openai', /provider dead is unreachable/);
  h.fake.reply({ hang: true });
  await expectError(await post(`${h.url}/v1/messages`, { model: 'claude-haiku-4-5', max_tokens: 1, messages: [] }), 504, 'anthropic', /did not answer in time/);
});

test('a slow client gets 408 and the gateway keeps serving', async () => {
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(`${h.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '100' } }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.write('{"model":'); // and then nothing more
  });
  assert.equal(status, 408);
  assert.equal((await fetch(`${h.url}/v1/models`)).status, 200);
});

test('a stream cut mid-way reaches the client as cut, is recorded with what was metered, and nothing crashes', async () => {
  const f = fixture('anthropic-messages', 'tool-use.sse');
  h.fake.reply(f.reply({ cutAfterChunks: 3 }));
  const before = h.gateway.calls.length;
  const response = await post(`${h.url}/v1/messages`, { model: 'claude-sonnet-4-5', max_tokens: 5, stream: true, messages: [] });
  await assert.rejects(response.text(), 'the client sees the stream break, as it would directly');
  const [call] = (await recorded(h.gateway, before + 1)).slice(before);
  assert.equal(call.outcome, 'upstream_error');
  assert.equal(call.errorKind, 'stream_cut');
  assert.ok(call.usage.inputTokens !== undefined, 'message_start usage was metered');
  assert.equal(call.usage.outputTokens, 1, 'the message_start output snapshot, not a guess');
  assert.equal((await fetch(`${h.url}/v1/models`)).status, 200);
});

test('an overloaded_error inside a 200 stream is recorded as an upstream error', async () => {
  const f = fixture('anthropic-messages', 'overloaded-midstream.sse');
  h.fake.reply(f.reply());
  const before = h.gateway.calls.length;
  const text = await (await post(`${h.url}/v1/messages`, { model: 'claude-sonnet-4-5', max_tokens: 5, stream: true, messages: [] })).text();
  assert.equal(text, f.text);
  const [call] = (await recorded(h.gateway, before + 1)).slice(before);
  assert.deepEqual([call.status, call.outcome, call.errorKind], [200, 'upstream_error', 'overloaded_error']);
});

test('a client that disconnects aborts the upstream request at once', async () => {
  const f = fixture('openai-chat', 'long.sse');
  h.fake.reply(f.reply({ chunkDelayMs: 5 }));
  const before = h.gateway.calls.length;
  const response = await post(`${h.url}/v1/chat/completions`, { model: 'gpt-4.1', stream: true, messages: [] });
  const reader = response.body!.getReader();
  await reader.read();
  await reader.cancel();
  const [call] = (await recorded(h.gateway, before + 1)).slice(before);
  assert.equal(call.outcome, 'aborted');
  const deadline = Date.now() + 2000;
  while (!h.fake.requests.at(-1)!.aborted && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(h.fake.requests.at(-1)!.aborted, 'the upstream saw the gateway hang up');
});

test('garbage on the socket gets a 400 and does not take the process down', async () => {
  const { port } = new URL(h.url);
  const reply = await new Promise<string>((resolve) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
    let data = '';
    socket.on('data', (chunk) => (data += chunk)).on('close', () => resolve(data));
  });
  assert.match(reply, /^HTTP\/1.1 400/);
  assert.equal((await fetch(`${h.url}/v1/models`)).status, 200);
});
