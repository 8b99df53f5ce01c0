import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Agent, Client } from 'undici';
import { UpstreamExchange } from './upstream-exchange.ts';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('a body that arrived with its headers waits for the sink, then comes whole and in order', async (t) => {
  const server = createServer((_req, res) => res.end('{"a":1}'));
  const origin = await listen(server);
  const agent = new Agent();
  t.after(() => Promise.all([agent.close(), new Promise((resolve) => server.close(resolve))]));

  const exchange = new UpstreamExchange(agent, { origin, path: '/', method: 'POST', body: '{}' });
  const response = await exchange.response;
  await new Promise((resolve) => setTimeout(resolve, 20)); // the whole answer is in before anyone reads
  assert.equal(response.statusCode, 200);
  assert.equal(response.headers['content-length'], '7');
  assert.equal((await response.body.readAll(1024)).toString(), '{"a":1}');
});

test('abort while the request waits for a connection rejects at once, and it is never sent', async (t) => {
  let requests = 0;
  const server = createServer(() => void requests++); // never answers
  const origin = await listen(server);
  const client = new Client(origin, { pipelining: 1 }); // one connection: the second request queues
  t.after(async () => {
    await client.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const first = new UpstreamExchange(client, { path: '/', method: 'POST', body: '{}' });
  first.response.catch(() => {});
  const queued = new UpstreamExchange(client, { path: '/', method: 'POST', body: '{}' });
  const started = Date.now();
  queued.abort(new Error('client left'));
  await assert.rejects(queued.response, /client left/);
  assert.ok(Date.now() - started < 100);
  await new Promise((resolve) => setTimeout(resolve, 50));
  first.abort(new Error('done'));
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(requests, 1, 'only the first request reached the provider');
});

test('abort mid-body ends the sink with the error and closes the upstream connection', async (t) => {
  let upstreamClosed!: () => void;
  const closed = new Promise<void>((resolve) => (upstreamClosed = resolve));
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: 1\n\n');
    res.on('close', () => upstreamClosed());
  });
  const origin = await listen(server);
  const agent = new Agent();
  t.after(() => Promise.all([agent.close(), new Promise((resolve) => server.close(resolve))]));

  const exchange = new UpstreamExchange(agent, { origin, path: '/', method: 'POST', body: '{}' });
  const { body } = await exchange.response;
  const seen: string[] = [];
  const ended = new Promise<Error>((resolve) =>
    body.pipeTo({
      data: (chunk) => {
        seen.push(chunk.toString());
        exchange.abort(new Error('client left'));
      },
      end: () => resolve(new Error('ended normally')),
      error: resolve,
    }),
  );
  assert.equal((await ended).message, 'client left');
  assert.deepEqual(seen, ['data: 1\n\n']);
  await closed;
});
