import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import { keys, post, startHarness, type Harness } from './harness.ts';

let h: Harness;
before(async () => {
  h = await startHarness((fakeUrl) => ({
    providers: {
      relay: { baseurl: `${fakeUrl}/v1`, apikey: 'sk-relay', models: ['relay-model'], add_headers: ['X-Project: tailgate'] },
      mine: { baseurl: fakeUrl, apikey: 'sk-fallback', auth_mode: 'passthrough', authorization: 'x-api-key', models: ['claude-opus-4-5'], compatibility: { anthropic_messages: true } },
      open: { baseurl: fakeUrl, apikey: 'sk-unused', auth_mode: 'none', models: ['local-model'] },
    },
  }));
});
after(() => h.close());

const callerCredentials = { authorization: 'Bearer caller-placeholder', 'x-api-key': 'caller-key', 'x-goog-api-key': 'caller-goog', 'api-key': 'caller-azure', cookie: 'session=1' };

function lastUpstream() {
  return h.fake.requests.at(-1)!;
}

test('every caller credential is stripped and the provider key injected, per authorization kind', async () => {
  await post(`${h.url}/v1/chat/completions`, { model: 'gpt-4.1', messages: [] }, callerCredentials);
  let headers = lastUpstream().headers;
  assert.equal(headers.authorization, `Bearer ${keys.openai}`);
  for (const name of ['x-api-key', 'x-goog-api-key', 'api-key', 'cookie']) assert.equal(headers[name], undefined, name);

  await post(`${h.url}/v1/messages`, { model: 'claude-haiku-4-5', max_tokens: 5, messages: [] }, callerCredentials);
  headers = lastUpstream().headers;
  assert.equal(headers['x-api-key'], keys.anthropic);
  assert.equal(headers.authorization, undefined);

  await post(`${h.url}/v1beta/models/gemini-2.5-flash:generateContent?key=caller-query-key`, { contents: [] }, callerCredentials);
  headers = lastUpstream().headers;
  assert.equal(headers['x-goog-api-key'], keys.gemini);
  assert.equal(headers.authorization, undefined);
  assert.ok(!lastUpstream().path.includes('caller-query-key'), 'the ?key= credential is removed from the query');
});

// node:http, because fetch refuses to send a Connection header.
function rawPost(url: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('agent headers, session headers and query strings reach the provider unchanged; hop-by-hop headers do not', async () => {
  await rawPost(`${h.url}/v1/messages?beta=true`, JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 5, messages: [] }), {
    'anthropic-version': '2023-06-01',
    'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14',
    'x-claude-code-session-id': 'sess-1',
    'user-agent': 'claude-cli/2.1.69 (external, cli)',
    connection: 'keep-alive, x-hop',
    'x-hop': 'must-not-pass',
    'openai-beta': 'responses=experimental',
  });
  const upstream = lastUpstream();
  assert.equal(upstream.path, '/v1/messages?beta=true');
  assert.equal(upstream.headers['anthropic-version'], '2023-06-01');
  assert.equal(upstream.headers['anthropic-beta'], 'claude-code-20250219,interleaved-thinking-2025-05-14');
  assert.equal(upstream.headers['x-claude-code-session-id'], 'sess-1');
  assert.equal(upstream.headers['openai-beta'], 'responses=experimental');
  assert.equal(upstream.headers['user-agent'], 'claude-cli/2.1.69 (external, cli)');
  assert.equal(upstream.headers['x-hop'], undefined);
});

test('a base URL that already ends in /v1 is not doubled; add_headers are added', async () => {
  await post(`${h.url}/v1/chat/completions`, { model: 'relay-model', messages: [] });
  assert.equal(lastUpstream().path, '/v1/chat/completions');
  assert.equal(lastUpstream().headers['x-project'], 'tailgate');
  assert.equal(lastUpstream().headers.authorization, 'Bearer sk-relay');
});

test('passthrough forwards the caller credential, falling back to the key; none sends no credential', async () => {
  await post(`${h.url}/v1/messages`, { model: 'claude-opus-4-5', max_tokens: 5, messages: [] }, { authorization: 'Bearer sk-ant-oat-subscriber' });
  assert.equal(lastUpstream().headers.authorization, 'Bearer sk-ant-oat-subscriber');
  assert.equal(lastUpstream().headers['x-api-key'], undefined);
  await post(`${h.url}/v1/messages`, { model: 'claude-opus-4-5', max_tokens: 5, messages: [] });
  assert.equal(lastUpstream().headers['x-api-key'], 'sk-fallback');
  await post(`${h.url}/v1/chat/completions`, { model: 'local-model', messages: [] }, callerCredentials);
  for (const name of ['authorization', 'x-api-key', 'x-goog-api-key', 'api-key']) assert.equal(lastUpstream().headers[name], undefined, name);
});

test('the body reaches the provider byte for byte; only a provider/model name is rewritten', async () => {
  const body = '{"model":"gpt-4.1",  "messages":[{"role":"user","content":"caf\\u00e9 1.0e2"}], "temperature": 1.0}';
  await post(`${h.url}/v1/chat/completions`, body);
  assert.equal(lastUpstream().body.toString(), body);
  await post(`${h.url}/v1/chat/completions`, body.replace('"gpt-4.1"', '"openai/gpt-4.1"'));
  assert.equal(lastUpstream().body.toString(), body);
  await post(`${h.url}/v1beta/models/gemini%2Fgemini-2.5-pro:generateContent`, { contents: [] });
  assert.equal(lastUpstream().path, '/v1beta/models/gemini-2.5-pro:generateContent');
});

test('no provider key appears in any response the client sees', async () => {
  const responses = await Promise.all([
    fetch(`${h.url}/v1/models`),
    post(`${h.url}/v1/chat/completions`, { model: 'nope', messages: [] }),
    post(`${h.url}/v1/messages`, { model: 'claude-haiku-4-5', max_tokens: 5, messages: [] }),
  ]);
  for (const response of responses) {
    const text = JSON.stringify([...response.headers]) + (await response.text());
    for (const key of [...Object.values(keys), 'sk-relay', 'sk-fallback']) assert.ok(!text.includes(key), `${key} leaked`);
  }
});
