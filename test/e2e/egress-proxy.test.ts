// Provider calls through the egress proxy the environment names (HTTPS_PROXY / HTTP_PROXY, NO_PROXY),
// as a gateway inside a company network must often reach the providers, with the proxy URL's
// credentials as Basic proxy authorization. The fake provider speaks plain http, which the proxy
// forwards as an absolute-form request (undici reaches an https provider through a CONNECT tunnel).
import assert from 'node:assert/strict';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { startGateway, type StartedGateway } from '../../src/server.ts';
import { fixture, startFakeUpstream, type FakeUpstream } from '../fake-upstream/fake-upstream.ts';
import { adminGrant, post, providersFor } from './harness.ts';

let fake: FakeUpstream;
/** What the proxy carried: the target of each forwarded request, and the credentials it was given. */
const carried: { target: string; authorization: string | undefined }[] = [];
const proxy = createServer((request, response) => {
  const target = new URL(request.url!); // absolute-form
  carried.push({ target: target.host, authorization: request.headers['proxy-authorization'] });
  const { 'proxy-authorization': _credentials, ...headers } = request.headers;
  const forwarded = httpRequest(target, { method: request.method, headers }, (answer) => {
    response.writeHead(answer.statusCode!, answer.headers);
    answer.pipe(response);
  });
  request.pipe(forwarded);
});
let proxyUrl: string;

before(async () => {
  fake = await startFakeUpstream();
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://gateway:s3cret@127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
after(async () => {
  proxy.closeAllConnections();
  await new Promise((resolve) => proxy.close(resolve));
  await fake.close();
});

async function gatewayWith(env: Record<string, string>): Promise<StartedGateway> {
  return startGateway({ config: { grants: [adminGrant], providers: providersFor(fake.url) }, env });
}

test('with HTTP_PROXY set, provider calls go through the proxy, authenticated, and answer as usual', async () => {
  const gateway = await gatewayWith({ HTTP_PROXY: proxyUrl });
  try {
    const f = fixture('openai-chat', 'text.json');
    fake.reply(f.reply());
    const response = await post(`${gateway.url}/v1/chat/completions`, { model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(response.status, 200);
    assert.equal(await response.text(), f.text);
    const upstream = new URL(fake.url);
    assert.deepEqual(carried, [{ target: upstream.host, authorization: `Basic ${Buffer.from('gateway:s3cret').toString('base64')}` }]);
    const arrived = fake.requests.at(-1)!.headers;
    assert.equal(arrived.authorization, `Bearer ${(providersFor(fake.url).openai as { apikey: string }).apikey}`, 'the provider key went through the proxy');
    assert.equal(arrived['proxy-authorization'], undefined);
  } finally {
    await gateway.close();
  }
});

test('hosts in NO_PROXY are reached directly', async () => {
  carried.length = 0;
  const gateway = await gatewayWith({ HTTP_PROXY: proxyUrl, NO_PROXY: '127.0.0.1' });
  try {
    fake.reply(fixture('openai-chat', 'text.json').reply());
    assert.equal((await post(`${gateway.url}/v1/chat/completions`, { model: 'gpt-4.1', messages: [] })).status, 200);
    assert.deepEqual(carried, []);
  } finally {
    await gateway.close();
  }
});
