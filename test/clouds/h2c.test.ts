// HTTP/2 with prior knowledge on the gateway's HTTP/1.1 port: a node:http2 client gets streams
// chunk by chunk, the same headers, and an abort that takes the upstream request with it.
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { fixture } from '../fake-upstream/fake-upstream.ts';
import { post, recorded, startHarness, type Harness } from '../e2e/harness.ts';

let h: Harness;
let session: http2.ClientHttp2Session;
before(async () => {
  h = await startHarness();
  session = http2.connect(h.url);
});
after(async () => {
  session?.close();
  await h.close();
});

function h2post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/json', ...headers });
  stream.end(JSON.stringify(body));
  const response = new Promise<http2.IncomingHttpHeaders & http2.IncomingHttpStatusHeader>((resolve, reject) => {
    stream.once('response', resolve);
    stream.once('error', reject);
  });
  return { stream, response };
}

test('an SSE stream over h2c arrives event by event, byte for byte, with the gateway\'s headers, and is metered', async () => {
  const f = fixture('anthropic-messages', 'tool-use.sse');
  h.fake.reply(f.reply({ chunkDelayMs: 5 }));
  const seen = h.gateway.calls.length;
  const { stream, response } = h2post('/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 64, stream: true, messages: [] }, { 'x-api-key': 'placeholder' });
  const headers = await response;
  assert.equal(headers[':status'], 200);
  assert.match(String(headers['content-type']), /text\/event-stream/);
  assert.ok(headers['x-tailgate-request-id']);
  const arrivals: number[] = [];
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    arrivals.push(Date.now());
  });
  await new Promise((resolve) => stream.on('end', resolve));
  assert.equal(Buffer.concat(chunks).toString('utf8'), f.text);
  assert.ok(arrivals.length >= f.events.length / 2, `streamed in ${arrivals.length} pieces, not buffered`);
  const upstream = h.fake.requests.at(-1)!;
  assert.equal(upstream.headers['x-api-key'], 'sk-ant-gateway-secret');
  assert.ok(!Object.keys(upstream.headers).some((name) => name.startsWith(':')), 'no pseudo-header reaches the provider');
  const [call] = (await recorded(h.gateway, seen + 1)).slice(seen);
  assert.equal(call.outcome, 'ok');
  assert.deepEqual(call.usage, f.expected.usage);
});

test('a client that cancels its h2 stream aborts the upstream request and the call is recorded as aborted', async () => {
  const f = fixture('openai-chat', 'long.sse');
  h.fake.reply(f.reply({ chunkDelayMs: 5 }));
  const seen = h.gateway.calls.length;
  const { stream, response } = h2post('/v1/chat/completions', { model: 'gpt-4.1', stream: true, stream_options: { include_usage: true }, messages: [] });
  await response;
  await new Promise<void>((resolve) => stream.once('data', () => resolve()));
  stream.close(http2.constants.NGHTTP2_CANCEL);
  await h.fake.waitFor((requests) => requests.at(-1)?.aborted === true);
  const [call] = (await recorded(h.gateway, seen + 1)).slice(seen);
  assert.equal(call.outcome, 'aborted');
  assert.equal(call.status, 200);
  assert.equal(session.closed, false, 'the session outlives one cancelled stream');
});

test('gateway errors and control-plane reads work over h2c too; HTTP/1.1 still works on the same port', async () => {
  const { stream, response } = h2post('/v1/chat/completions', { model: 'no-such-model', messages: [] });
  const headers = await response;
  assert.equal(headers[':status'], 404);
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk));
  await new Promise((resolve) => stream.on('end', resolve));
  assert.match(text, /not available/);

  const health = session.request({ ':method': 'GET', ':path': '/healthz' });
  health.end();
  const healthHeaders = await new Promise<http2.IncomingHttpHeaders>((resolve) => health.once('response', resolve));
  assert.equal(healthHeaders[':status'], 200);
  health.resume();

  const http1 = await post(`${h.url}/v1/chat/completions`, { model: 'gpt-4.1', messages: [] });
  assert.equal(http1.status, 200);
  await http1.text();
});

test('a connection whose first bytes only look like the preface is served as HTTP/1.1', async () => {
  const { port } = new URL(h.url);
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => {
      socket.write('PR'); // the same first bytes as the preface, sent apart
      setTimeout(() => socket.write('OPFIND / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n'), 20);
    });
    let data = '';
    socket.on('data', (chunk) => (data += chunk));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
  assert.match(answer, /^HTTP\/1\.1 404/);
});
