import { startGateway, type StartedGateway } from '../../src/server.ts';
import { startFakeUpstream, type FakeUpstream } from '../fake-upstream/fake-upstream.ts';

/** Provider keys the gateway holds; tests assert they reach the fake upstream and nothing else. */
export const keys = { openai: 'sk-openai-gateway-secret', anthropic: 'sk-ant-gateway-secret', gemini: 'gemini-gateway-secret' };

export type Harness = { fake: FakeUpstream; gateway: StartedGateway; url: string; close(): Promise<void> };

/** The three native providers, all served by one fake upstream. */
export function providersFor(fakeUrl: string): Record<string, object> {
  return {
    openai: {
      baseurl: fakeUrl,
      apikey: keys.openai,
      models: ['gpt-4.1', 'gpt-5', 'text-embedding-3-small'],
      compatibility: { openai_chat: true, openai_responses: true },
    },
    anthropic: {
      baseurl: fakeUrl,
      apikey: keys.anthropic,
      authorization: 'x-api-key',
      models: ['claude-sonnet-4-5', 'claude-haiku-4-5'],
      compatibility: { anthropic_messages: true },
    },
    gemini: {
      baseurl: fakeUrl,
      apikey: keys.gemini,
      authorization: 'x-goog-api-key',
      models: ['gemini-2.5-flash', 'gemini-2.5-pro'],
      compatibility: { gemini_generate_content: true },
    },
  };
}

export const adminGrant = { src: ['*', '(loopback)'], app: { 'tailscale.com/cap/aperture': [{ role: 'admin' }, { models: '**' }] } };

/** A fake upstream and a gateway in front of it. `extra` adds or overrides config keys. */
export async function startHarness(extra: (fakeUrl: string) => Record<string, unknown> = () => ({})): Promise<Harness> {
  const fake = await startFakeUpstream();
  const overrides = extra(fake.url);
  const config = { grants: [adminGrant], ...overrides, providers: { ...providersFor(fake.url), ...(overrides.providers as object | undefined) } };
  const gateway = await startGateway({ config, env: {} });
  return {
    fake,
    gateway,
    url: gateway.url,
    async close() {
      await gateway.close();
      await fake.close();
    },
  };
}

/** Waits until the gateway has recorded `count` calls (records are written when a call ends). */
export async function recorded(gateway: StartedGateway, count: number, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (gateway.calls.length < count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} recorded calls, have ${gateway.calls.length}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return gateway.calls;
}

export function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}
