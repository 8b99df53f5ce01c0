// Shared checks for the official-SDK conformance tests: each SDK is used unmodified, configured with a
// base URL and a placeholder key only, and the gateway in front of the fake upstream must be invisible
// to it (same bytes, same parsed objects) while holding the real key and metering the call.
import assert from 'node:assert/strict';
import type { Fixture, RecordedRequest } from '../fake-upstream/fake-upstream.ts';
import type { CallRecord } from '../../src/recording/call-record.ts';
import { recorded, type Harness } from '../e2e/harness.ts';

/** The only key any SDK is given. It must never reach the upstream. */
export const PLACEHOLDER = 'placeholder';

/** Prices are published in USD per million tokens; each test writes out its own arithmetic over this. */
export const perMillion = 1_000_000;

/** The one record a call produced, after `before` records existed. */
export async function callAfter(h: Harness, before: number): Promise<CallRecord> {
  const calls = await recorded(h.gateway, before + 1);
  assert.equal(calls.length, before + 1, 'exactly one call record per SDK call');
  return calls[before];
}

/** One SSE event of a fixture, parsed the way any SSE client parses it. */
export type SseEvent = { event?: string; data: string };

export function sseEvents(f: Fixture): SseEvent[] {
  return f.events.map((block) => {
    const lines = block.split(/\r\n|\r|\n/);
    const data: string[] = [];
    let event: string | undefined;
    for (const line of lines) {
      if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      else if (line.startsWith('event:')) event = line.slice(6).replace(/^ /, '');
    }
    return { event, data: data.join('\n') };
  });
}

/** The JSON payloads of a fixture's SSE events, without OpenAI's `[DONE]` sentinel. */
export function sseJson(f: Fixture): unknown[] {
  return sseEvents(f)
    .filter((event) => event.data !== '[DONE]' && event.data !== '')
    .map((event) => JSON.parse(event.data) as unknown);
}

/** A JSON round trip: class instances become plain objects, undefined fields disappear. */
export function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

/**
 * Lazily-parsed SDK promises (openai, @anthropic-ai/sdk APIPromise) only read the body once awaited, so
 * cloning the raw Response first yields, from one request, both the bytes the SDK received and what it
 * parsed. The clone is drained from the start: an unread tee branch would stall the SDK's own branch.
 */
export async function rawAndParsed<T>(promise: PromiseLike<T> & { asResponse(): Promise<Response> }): Promise<{ raw: Response; text: Promise<string>; data: T }> {
  const raw = (await promise.asResponse()).clone();
  const text = raw.text();
  const data = await promise;
  return { raw, text, data };
}

/** The upstream got exactly the gateway's credential in `header`, and no trace of the placeholder anywhere. */
export function assertGatewayCredential(request: RecordedRequest, header: string, value: string, absent: string[]): void {
  assert.equal(request.headers[header], value, `upstream ${header} is the gateway's provider key`);
  for (const name of absent) assert.equal(request.headers[name], undefined, `upstream got no ${name} header`);
  for (const [name, v] of Object.entries(request.headers)) {
    assert.ok(!String(v).includes(PLACEHOLDER), `the placeholder key leaked upstream in ${name}: ${String(v)}`);
  }
  assert.ok(!request.path.includes(PLACEHOLDER), `the placeholder key leaked upstream in the URL ${request.path}`);
  assert.ok(!/[?&]key=/.test(request.path), `no key query parameter upstream: ${request.path}`);
}

/** The record's cost equals the test's own arithmetic, within 1e-12 USD. */
export function assertCost(call: CallRecord, expectedUsd: number, basis: string): void {
  assert.equal(call.costBasis, basis);
  assert.ok(call.costUsd !== undefined, 'a priced model with known usage gets a cost');
  assert.ok(Math.abs(call.costUsd - expectedUsd) <= 1e-12, `costUsd ${call.costUsd} != ${expectedUsd}`);
}

/** The metering facts of a record equal the fixture's `.expected.json`. */
export function assertMetered(call: CallRecord, f: Fixture, provider: string, model: string): void {
  assert.equal(call.outcome, 'ok');
  assert.equal(call.status, f.expected.status);
  assert.equal(call.provider, provider);
  assert.equal(call.model, model);
  assert.deepEqual(call.usage, f.expected.usage);
  assert.deepEqual(call.toolCalls, f.expected.toolCalls);
  assert.equal(call.finishReason, f.expected.finishReason);
  if (f.expected.model !== undefined) assert.equal(call.responseModel, f.expected.model);
  assert.equal(call.bytesOut, Buffer.byteLength(f.text), 'the gateway sent the client as many bytes as the upstream sent it');
}
