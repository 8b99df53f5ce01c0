// Request bodies sent with Content-Encoding: Codex CLI zstd-compresses its Responses requests, and
// providers accept gzip, deflate and br too. The gateway decodes them (the body limit applying to the
// decoded size), meters and forwards plain JSON, and refuses what it cannot decode in the caller's dialect.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { brotliCompressSync, deflateSync, gzipSync, zstdCompressSync } from 'node:zlib';
import { fixture } from '../fake-upstream/fake-upstream.ts';
import { recorded, startHarness, type Harness } from './harness.ts';

let h: Harness;
before(async () => {
  h = await startHarness(() => ({ limits: { max_body_bytes: 4096 } }));
});
after(() => h.close());

function send(path: string, body: Buffer, encoding: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${h.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': encoding, ...headers }, body });
}

test('zstd, gzip, deflate and br bodies are decoded: the provider gets plain JSON, the client the provider\'s answer, the call is metered', async () => {
  const cases = [
    { encoding: 'zstd', encode: zstdCompressSync, path: '/v1/responses', dialect: 'openai-responses', name: 'text.sse', body: { model: 'gpt-5', stream: true, input: 'Explain recursion.' } },
    { encoding: 'gzip', encode: gzipSync, path: '/v1/chat/completions', dialect: 'openai-chat', name: 'text.json', body: { model: 'gpt-4.1', messages: [{ role: 'user', content: 'What is the capital of France?' }] } },
    { encoding: 'deflate', encode: deflateSync, path: '/v1/chat/completions', dialect: 'openai-chat', name: 'text.json', body: { model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] } },
    { encoding: 'br', encode: brotliCompressSync, path: '/v1/messages', dialect: 'anthropic-messages', name: 'text.json', body: { model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] } },
    // Two codings, listed in the order they were applied.
    { encoding: 'gzip, zstd', encode: (bytes: Buffer) => zstdCompressSync(gzipSync(bytes)), path: '/v1/messages', dialect: 'anthropic-messages', name: 'text.json', body: { model: 'claude-haiku-4-5', max_tokens: 8, messages: [] } },
  ] as const;
  for (const { encoding, encode, path, dialect, name, body } of cases) {
    const f = fixture(dialect, name);
    h.fake.reply(f.reply());
    const plain = Buffer.from(JSON.stringify(body));
    const sent = encode(plain);
    const before = h.gateway.calls.length;
    const response = await send(path, sent, encoding);
    assert.equal(response.status, 200, encoding);
    assert.equal(await response.text(), f.text, `${encoding}: the client read the provider's bytes`);

    const upstream = h.fake.requests.at(-1)!;
    assert.equal(upstream.body.toString(), plain.toString(), `${encoding}: the provider got the JSON, decoded`);
    assert.equal(upstream.headers['content-encoding'], undefined);
    assert.equal(upstream.headers['content-length'], String(plain.length));

    const [call] = (await recorded(h.gateway, before + 1)).slice(before);
    assert.equal(call.outcome, 'ok');
    assert.equal(call.model, body.model);
    assert.equal(call.bytesIn, sent.length, 'bytes in are what crossed the wire');
    assert.deepEqual(call.usage, f.expected.usage, `${encoding}: metered`);
  }
});

test('a body that unpacks past the limit is a 413, bytes that do not decode a 400, an unknown coding a 415: each in the caller\'s dialect, nothing sent upstream', async () => {
  const upstreamBefore = h.fake.requests.length;
  // 400 KB of JSON in a few hundred bytes: within the 4 KB limit as sent, a hundred times over it decoded.
  const bomb = zstdCompressSync(Buffer.from(JSON.stringify({ model: 'gpt-4.1', messages: [{ role: 'user', content: ' '.repeat(400_000) }] })));
  assert.ok(bomb.length < 4096);
  let response = await send('/v1/chat/completions', bomb, 'zstd');
  assert.equal(response.status, 413);
  assert.match(((await response.json()) as { error: { message: string } }).error.message, /larger than the gateway's limit of 4096 bytes once decoded \(zstd\)/);

  response = await send('/v1/messages', Buffer.from('{"model":"claude-haiku-4-5"}'), 'gzip', { 'anthropic-version': '2023-06-01' });
  assert.equal(response.status, 400);
  assert.deepEqual(await response.json(), { type: 'error', error: { type: 'invalid_request_error', message: 'request body is not valid gzip (content-encoding)' } });

  response = await send('/v1beta/models/gemini-2.5-flash:generateContent', Buffer.from('{"contents":[]}'), 'compress');
  assert.equal(response.status, 415);
  const gemini = (await response.json()) as { error: { code: number; message: string } };
  assert.equal(gemini.error.code, 415);
  assert.match(gemini.error.message, /content-encoding "compress" is not supported/);

  // Each layer may unpack to the limit, so a request may not stack them without end.
  response = await send('/v1/chat/completions', gzipSync(gzipSync(gzipSync(Buffer.from('{}')))), 'gzip, gzip, gzip');
  assert.equal(response.status, 415);
  assert.match(((await response.json()) as { error: { message: string } }).error.message, /3 codings; at most 2/);

  assert.equal(h.fake.requests.length, upstreamBefore, 'nothing went upstream');
  // The gateway keeps serving.
  const f = fixture('openai-chat', 'text.json');
  h.fake.reply(f.reply());
  assert.equal((await send('/v1/chat/completions', Buffer.from(JSON.stringify({ model: 'gpt-4.1', messages: [] })), 'identity')).status, 200);
});
