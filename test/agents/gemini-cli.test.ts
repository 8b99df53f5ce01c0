// Gemini CLI (the real CLI, @google/gemini-cli) through the gateway with nothing but
// GOOGLE_GEMINI_BASE_URL and a placeholder GEMINI_API_KEY: it must print the upstream's answer, the
// upstream must see the gateway's x-goog-api-key instead of the placeholder, and the gateway must
// meter the call.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_TEXT, defaultReply } from '../fake-upstream/default-replies.ts';
import type { FakeReply, RecordedRequest } from '../fake-upstream/fake-upstream.ts';
import {
  AGENT_MODELS,
  GATEWAY_KEYS,
  PLACEHOLDER_KEY,
  TEST_TIMEOUT_MS,
  credentialHeaders,
  describeRun,
  geminiCommand,
  geminiEnv,
  header,
  runAgent,
  startAgentStack,
  waitForCalls,
  writeGeminiSettings,
  assertMeteredTurn,
  type AgentStack,
} from './agent-env.ts';

const pathname = (request: RecordedRequest): string => new URL(request.path, 'http://x').pathname;

/**
 * In `auto` model mode Gemini CLI first asks a flash-lite model, with
 * `generationConfig.responseMimeType = "application/json"`, to score the prompt's complexity. It
 * retries an unparseable answer 5 times with backoff (about 70 s) before falling back, so the fake
 * answers that call with the JSON it asks for and everything else as usual.
 */
function answerRouterAsJson(request: RecordedRequest): FakeReply {
  const body = request.json as { generationConfig?: { responseMimeType?: string } } | undefined;
  if (!pathname(request).endsWith(':generateContent') || body?.generationConfig?.responseMimeType !== 'application/json') return defaultReply(request);
  const model = /\/models\/([^/:]+):/.exec(pathname(request))?.[1] ?? 'gemini';
  const text = JSON.stringify({ complexity_reasoning: 'A greeting.', complexity_score: 5 });
  return {
    status: 200,
    headers: { 'content-type': 'application/json; charset=UTF-8' },
    body: JSON.stringify({
      candidates: [{ content: { parts: [{ text }], role: 'model' }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 100, candidatesTokenCount: 20, totalTokenCount: 120 },
      modelVersion: model,
      responseId: 'fake-router',
    }),
  };
}

function assertGatewayCredentials(request: RecordedRequest): void {
  assert.equal(header(request, 'x-goog-api-key'), GATEWAY_KEYS.gemini);
  assert.equal(header(request, 'authorization'), undefined);
  for (const value of credentialHeaders(request)) assert.ok(!value.includes(PLACEHOLDER_KEY), `placeholder leaked upstream: ${value}`);
  assert.ok(!request.path.includes(PLACEHOLDER_KEY), `placeholder leaked into the upstream URL: ${request.path}`);
}

describe('Gemini CLI through the gateway', { timeout: 4 * TEST_TIMEOUT_MS }, () => {
  let stack: AgentStack;
  before(async () => {
    stack = await startAgentStack('gemini');
    await writeGeminiSettings(stack);
  });
  after(async () => {
    await stack?.close();
  });

  test('gemini -p prints the upstream answer; the upstream sees the gateway key, not the placeholder', { timeout: TEST_TIMEOUT_MS }, async () => {
    const before = stack.fake.requests.length;
    // A fixed model skips the router call: one streamed turn.
    const run = await runAgent(geminiCommand(), ['-p', 'say hi', '--skip-trust', '-m', 'gemini-2.5-flash'], { cwd: stack.workdir, env: geminiEnv(stack) });
    const why = describeRun(run, stack);
    assert.equal(run.code, 0, why);
    assert.ok(run.stdout.includes(DEFAULT_TEXT), why);

    const upstream = stack.fake.requests.slice(before);
    assert.equal(upstream.length, 1, why);
    const [request] = upstream;
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    assertGatewayCredentials(request);

    await assertMeteredTurn(stack, { model: 'gemini-2.5-flash', provider: 'gemini', userAgent: /^GeminiCLI/ }, why);
  });

  test('with no model setting, the router call and the streamed turn both go through and are metered', { timeout: TEST_TIMEOUT_MS }, async () => {
    const before = stack.fake.requests.length;
    const seen = stack.gateway.calls.length;
    for (let i = 0; i < 4; i++) stack.fake.reply(answerRouterAsJson);
    const run = await runAgent(geminiCommand(), ['-p', 'say hi', '--skip-trust'], { cwd: stack.workdir, env: geminiEnv(stack) });
    const why = describeRun(run, stack);
    assert.equal(run.code, 0, `${why}\n(if a model is unknown, add the CLI's new default models to AGENT_MODELS in agent-env.ts)`);
    assert.ok(run.stdout.includes(DEFAULT_TEXT), why);

    const upstream = stack.fake.requests.slice(before);
    assert.ok(upstream.some((r) => pathname(r).endsWith(':generateContent')), `router call expected\n${why}`);
    assert.ok(upstream.some((r) => pathname(r).endsWith(':streamGenerateContent') && r.path.endsWith('?alt=sse')), `streamed turn expected\n${why}`);
    for (const request of upstream) assertGatewayCredentials(request);

    const calls = (await waitForCalls(stack.gateway, (all) => all.length >= seen + upstream.length)).slice(seen);
    assert.equal(calls.length, upstream.length, why);
    for (const call of calls) {
      assert.equal(call.provider, 'gemini');
      assert.equal(call.outcome, 'ok', why);
      assert.ok((AGENT_MODELS.gemini as readonly string[]).includes(call.model ?? ''), `model ${call.model}`);
      assert.ok((call.usage.outputTokens ?? 0) > 0, `output tokens metered: ${JSON.stringify(call.usage)}`);
    }
  });
});
