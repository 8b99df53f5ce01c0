// Claude Code (the real CLI, @anthropic-ai/claude-code) through the gateway with nothing but a base
// URL and a placeholder token: it must print the upstream's answer, the upstream must see the
// gateway's key instead of the placeholder, and the gateway must meter the call.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_TEXT } from '../fake-upstream/default-replies.ts';
import {
  AGENT_MODELS,
  GATEWAY_KEYS,
  PLACEHOLDER_KEY,
  TEST_TIMEOUT_MS,
  claudeCommand,
  claudeEnv,
  credentialHeaders,
  describeRun,
  header,
  runAgent,
  startAgentStack,
  waitForCalls,
  assertMeteredTurn,
  type AgentStack,
} from './agent-env.ts';

describe('Claude Code through the gateway', { timeout: 4 * TEST_TIMEOUT_MS }, () => {
  let stack: AgentStack;
  before(async () => {
    stack = await startAgentStack('claude');
  });
  after(async () => {
    await stack?.close();
  });

  test('claude -p prints the upstream answer; the upstream sees the gateway key, not the placeholder', { timeout: TEST_TIMEOUT_MS }, async () => {
    const before = stack.fake.requests.length;
    const run = await runAgent(claudeCommand(), ['-p', 'say hi'], {
      cwd: stack.workdir,
      // Remap off: this version warns that Sonnet 4.5 retires on 2026-11-30 and may rewrite retired names.
      env: claudeEnv(stack, { ANTHROPIC_MODEL: 'claude-sonnet-4-5', CLAUDE_CODE_DISABLE_LEGACY_MODEL_REMAP: '1' }),
    });
    const why = describeRun(run, stack);
    assert.equal(run.code, 0, why);
    assert.ok(run.stdout.includes(DEFAULT_TEXT), why);

    const upstream = stack.fake.requests.slice(before);
    // One turn is one Messages call (in -p mode with non-essential traffic off there is no HEAD
    // preconnect, no count_tokens and no model listing).
    const messages = upstream.filter((r) => r.method === 'POST' && new URL(r.path, 'http://x').pathname === '/v1/messages');
    assert.equal(messages.length, 1, why);
    const [request] = messages;
    assert.equal(header(request, 'x-api-key'), GATEWAY_KEYS.anthropic);
    assert.equal(header(request, 'authorization'), undefined, 'the caller\'s Authorization: Bearer placeholder must be stripped');
    for (const value of credentialHeaders(request)) assert.ok(!value.includes(PLACEHOLDER_KEY), `placeholder leaked upstream: ${value}`);
    assert.ok(!request.path.includes(PLACEHOLDER_KEY));
    assert.equal(header(request, 'anthropic-version'), '2023-06-01');
    // Claude Code assembles its beta flags per request; they must pass through unchanged.
    assert.match(header(request, 'anthropic-beta') ?? '', /claude-code-20250219/);
    const body = request.json as { model?: string; stream?: boolean };
    assert.equal(body.model, 'claude-sonnet-4-5');
    assert.equal(body.stream, true);

    await assertMeteredTurn(stack, { model: 'claude-sonnet-4-5', provider: 'anthropic', userAgent: /^claude-cli\// }, why);
  });

  test('with no model setting, the CLI\'s own default model routes too', { timeout: TEST_TIMEOUT_MS }, async () => {
    const seen = stack.gateway.calls.length;
    const run = await runAgent(claudeCommand(), ['-p', 'say hi'], { cwd: stack.workdir, env: claudeEnv(stack) });
    const why = describeRun(run, stack);
    assert.equal(run.code, 0, `${why}\n(if the model is unknown, add the CLI's new default model to AGENT_MODELS in agent-env.ts)`);
    assert.ok(run.stdout.includes(DEFAULT_TEXT), why);
    const calls = (await waitForCalls(stack.gateway, (all) => all.length > seen)).slice(seen);
    assert.ok(calls.length >= 1, why);
    for (const call of calls) {
      assert.equal(call.provider, 'anthropic');
      assert.equal(call.outcome, 'ok', why);
      assert.ok((AGENT_MODELS.anthropic as readonly string[]).includes(call.model ?? ''), `model ${call.model}`);
    }
  });
});
