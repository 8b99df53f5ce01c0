// Shared set-up for the cloud-provider tests: a gateway in front of fake clouds, and helpers.
import { startGateway, type StartedGateway } from '../../src/server.ts';
import type { CallRecord } from '../../src/recording/call-record.ts';

export const adminGrant = { src: ['*', '(loopback)'], app: { 'tailscale.com/cap/aperture': [{ role: 'admin' }, { models: '**' }] } };

export async function startCloudGateway(providers: Record<string, object>, extra: Record<string, unknown> = {}): Promise<StartedGateway> {
  return startGateway({ config: { grants: [adminGrant], ...extra, providers }, env: {} });
}

/** Waits until the gateway has recorded `count` calls (a record is written when its call ends). */
export async function recorded(gateway: StartedGateway, count: number, timeoutMs = 5000): Promise<CallRecord[]> {
  const deadline = Date.now() + timeoutMs;
  while (gateway.calls.length < count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} recorded calls, have ${gateway.calls.length}: ${JSON.stringify(gateway.calls.map((c) => [c.path, c.status, c.outcome, c.errorKind]))}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return gateway.calls;
}

export async function lastCall(gateway: StartedGateway, count: number): Promise<CallRecord> {
  return (await recorded(gateway, count)).at(-1)!;
}

export function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}
