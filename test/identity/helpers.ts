// Shared pieces of the identity suite: a gateway with a chosen `identity` config in front of the fake
// upstream, a client that calls from a chosen local address (every 127.0.0.0/8 address is loopback on
// Linux, so 127.0.0.N tells callers apart without root), and the error shapes of the three dialects.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { startGateway, type StartedGateway } from '../../src/server.ts';
import type { CallRecord } from '../../src/recording/call-record.ts';
import { providersFor } from '../e2e/harness.ts';
import { startFakeUpstream, type FakeUpstream } from '../fake-upstream/fake-upstream.ts';

export const cap = 'tailscale.com/cap/aperture';

/** Callers by local address. */
export const ALICE = '127.0.0.2';
export const BOB = '127.0.0.3';
export const CI = '127.0.0.4';

/** `{src, app: {"tailscale.com/cap/aperture": entries}}` */
export function grant(src: string[], ...entries: Record<string, unknown>[]) {
  return { src, app: { [cap]: entries } };
}

export type IdentityGateway = {
  fake: FakeUpstream;
  gateway: StartedGateway;
  port: number;
  close(): Promise<void>;
};

/**
 * A gateway with the three native providers on the fake upstream and exactly the keys `config` gives
 * (no default grant: deny by default is part of what is tested). Listens on 127.0.0.1 unless told.
 */
export async function startIdentityGateway(config: (fakeUrl: string) => Record<string, unknown>, listen = '127.0.0.1:0'): Promise<IdentityGateway> {
  const fake = await startFakeUpstream();
  const overrides = config(fake.url);
  const gateway = await startGateway({
    config: { ...overrides, providers: { ...providersFor(fake.url), ...(overrides.providers as object | undefined) } },
    env: {},
    listen,
  });
  return {
    fake,
    gateway,
    port: (gateway.server.address() as AddressInfo).port,
    async close() {
      await gateway.close();
      await fake.close();
    },
  };
}

export type Reply = { status: number; headers: http.IncomingHttpHeaders; text: string; json: any; localPort: number };

export type Send = {
  /** Local address to connect from. */
  from?: string;
  /** Address to connect to (default 127.0.0.1). */
  to?: string;
  method?: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** A keep-alive agent to reuse one connection; default: a fresh connection per request. */
  agent?: http.Agent;
};

/** One HTTP request with node:http, so the local address can be chosen. */
export function send(port: number, options: Send): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    const headers: Record<string, string> = { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers };
    const req = http.request(
      {
        host: options.to ?? '127.0.0.1',
        port,
        method: options.method ?? (body === undefined ? 'GET' : 'POST'),
        path: options.path,
        headers,
        ...(options.agent ? { agent: options.agent } : { agent: false, localAddress: options.from }),
      },
      (res) => {
        const localPort = res.socket.localPort ?? 0;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, localPort });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A keep-alive agent with one connection from `localAddress`, so consecutive calls share one TCP peer. */
export function keepAliveAgent(localAddress: string): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: 1, localAddress } as http.AgentOptions);
}

export type DialectName = 'openai' | 'anthropic' | 'gemini';

/** A minimal call in each dialect. */
export function callIn(dialect: DialectName, model: string): { path: string; body: Record<string, unknown> } {
  switch (dialect) {
    case 'openai':
      return { path: '/v1/chat/completions', body: { model, messages: [{ role: 'user', content: 'hi' }] } };
    case 'anthropic':
      return { path: '/v1/messages', body: { model, max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] } };
    case 'gemini':
      return { path: `/v1beta/models/${model}:generateContent`, body: { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] } };
  }
}

/** The dialect of a model in the harness catalog. */
export function dialectOf(model: string): DialectName {
  model = model.slice(model.lastIndexOf('/') + 1);
  return model.startsWith('claude') ? 'anthropic' : model.startsWith('gemini') ? 'gemini' : 'openai';
}

/** Calls `model` in its own dialect from `from`. */
export function callModel(port: number, from: string, model: string, extra: Partial<Send> = {}): Promise<Reply> {
  return send(port, { from, ...callIn(dialectOf(model), model), ...extra });
}

const errorNames: Record<DialectName, Record<number, string>> = {
  openai: { 400: 'invalid_request_error', 401: 'authentication_error', 403: 'permission_error', 404: 'invalid_request_error', 503: 'server_error' },
  anthropic: { 401: 'authentication_error', 403: 'permission_error', 404: 'not_found_error', 503: 'api_error' },
  gemini: { 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 503: 'UNAVAILABLE' },
};

/** The gateway's own error, spelled the way the caller's SDK expects. */
export function assertDialectError(reply: Reply, dialect: DialectName, status: number, message: RegExp): void {
  assert.equal(reply.status, status, `status (body: ${reply.text})`);
  assert.equal(reply.headers['content-type'], 'application/json');
  assert.ok(reply.headers['x-request-id'], 'the gateway names the request');
  const body = reply.json as Record<string, any>;
  assert.ok(body && typeof body.error === 'object', `an error object: ${reply.text}`);
  switch (dialect) {
    case 'openai':
      // {"error":{"message","type","param","code"}}
      assert.deepEqual(Object.keys(body).sort(), ['error']);
      assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
      assert.equal(body.error.type, errorNames.openai[status]);
      break;
    case 'anthropic':
      // {"type":"error","error":{"type","message"}}, plus the request-id header Anthropic sends
      assert.equal(body.type, 'error');
      assert.deepEqual(Object.keys(body.error).sort(), ['message', 'type']);
      assert.equal(body.error.type, errorNames.anthropic[status]);
      assert.equal(reply.headers['request-id'], reply.headers['x-request-id']);
      break;
    case 'gemini':
      // {"error":{"code","message","status"}}
      assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'status']);
      assert.equal(body.error.code, status);
      assert.equal(body.error.status, errorNames.gemini[status]);
      break;
  }
  assert.match(body.error.message, message);
}

/** The call records the gateway wrote after `before` (records are written when a call ends). */
export async function recordsSince(gateway: StartedGateway, before: number, count = 1, timeoutMs = 3000): Promise<CallRecord[]> {
  const deadline = Date.now() + timeoutMs;
  while (gateway.calls.length < before + count) {
    if (Date.now() > deadline) throw new Error(`expected ${before + count} recorded calls, have ${gateway.calls.length}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return gateway.calls.slice(before);
}

/** Runs `action` and returns its reply with the one call record it produced. */
export async function withRecord(gateway: StartedGateway, action: () => Promise<Reply>): Promise<{ reply: Reply; record: CallRecord }> {
  const before = gateway.calls.length;
  const reply = await action();
  const [record] = await recordsSince(gateway, before);
  return { reply, record };
}

/**
 * This machine's own non-loopback IPv4 address, if it has one. Connecting to it from it gives the
 * gateway a TCP peer that is not loopback, without root.
 */
export function externalIPv4(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) if (address.family === 'IPv4' && !address.internal && !address.address.startsWith('169.254.')) return address.address;
  }
  return undefined;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
