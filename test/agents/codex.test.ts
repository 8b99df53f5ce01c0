// OpenAI Codex CLI (the real CLI, @openai/codex) through the gateway with a custom model provider
// whose base_url is the gateway and whose key is a placeholder: it must print the upstream's answer,
// the upstream must see the gateway's bearer key instead of the placeholder, and the gateway must
// meter the call.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_TEXT } from '../fake-upstream/default-replies.ts';
import {
  AGENT_MODELS,
  GATEWAY_KEYS,
  PLACEHOLDER_KEY,
  TEST_TIMEOUT_MS,
  codexCommand,
  codexEnv,
  credentialHeaders,
  describeRun,
  header,
  runAgent,
  startAgentStack,
  waitForCalls,
  writeCodexConfig,
  assertMeteredTurn,
  type AgentStack,
} from './agent-env.ts';

// `exec` is Codex's non-interactive mode; outside a git repository it needs --skip-git-repo-check.
// --ephemeral keeps session files out of the throwaway home; stdin is closed by runAgent.
const execArgs = (prompt: string): string[] => ['exec', '--skip-git-repo-check', '--ephemeral', '--color', 'never', prompt];

describe('Codex CLI through the gateway', { timeout: 4 * TEST_TIMEOUT_MS }, () => {
  let stack: AgentStack;
  before(async () => {
    stack = await startAgentStack('codex');
  });
  after(async () => {
    await stack?.close();
  });

  test('codex exec prints the upstream answer; the upstream sees the gateway key, not the placeholder', { timeout: TEST_TIMEOUT_MS }, async () => {
    const codexHome = await writeCodexConfig(stack, { model: 'gpt-5' });
    const before = stack.fake.requests.length;
    const run = await runAgent(codexCommand(), execArgs('say hi'), { cwd: stack.workdir, env: codexEnv(stack, codexHome) });
    const why = describeRun(run, stack);
    assert.equal(run.code, 0, why);
    // stdout carries only the final agent message; the banner and warnings go to stderr.
    assert.ok(run.stdout.includes(DEFAULT_TEXT), why);

    const upstream = stack.fake.requests.slice(before);
    // No model listing, no websocket upgrade: one streamed Responses call per turn.
    assert.equal(upstream.length, 1, why);
    const [request] = upstream;
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/v1/responses');
    assert.equal(header(request, 'authorization'), `Bearer ${GATEWAY_KEYS.openai}`);
    for (const value of credentialHeaders(request)) assert.ok(!value.includes(PLACEHOLDER_KEY), `placeholder leaked upstream: ${value}`);
    assert.ok(!request.path.includes(PLACEHOLDER_KEY));
    const body = request.json as { model?: string; stream?: boolean };
    assert.equal(body.model, 'gpt-5');
    assert.equal(body.stream, true);

    await assertMeteredTurn(stack, { model: 'gpt-5', provider: 'openai', userAgent: /^codex_exec\// }, why);
  });

  test('with no model setting, the CLI\'s own default model routes too', { timeout: TEST_TIMEOUT_MS }, async () => {
    const codexHome = await writeCodexConfig(stack);
    const seen = stack.gateway.calls.length;
    const run = await runAgent(codexCommand(), execArgs('say hi'), { cwd: stack.workdir, env: codexEnv(stack, codexHome) });
    const why = describeRun(run, stack);
    assert.equal(run.code, 0, `${why}\n(if the model is unknown, add the CLI's new default model to AGENT_MODELS in agent-env.ts)`);
    assert.ok(run.stdout.includes(DEFAULT_TEXT), why);
    const calls = (await waitForCalls(stack.gateway, (all) => all.length > seen)).slice(seen);
    assert.ok(calls.length >= 1, why);
    for (const call of calls) {
      assert.equal(call.provider, 'openai');
      assert.equal(call.outcome, 'ok', why);
      assert.ok((AGENT_MODELS.openai as readonly string[]).includes(call.model ?? ''), `model ${call.model}`);
    }
  });
});
