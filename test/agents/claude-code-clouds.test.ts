// Claude Code (the real CLI) in its Bedrock and Vertex modes, pointed at the gateway with the
// cloud auth skipped (providers.md §2.1; aperture.md §4 "Client recipes"): the gateway signs for
// the fake Bedrock (which verifies SigV4) and fetches Vertex tokens from the fake token endpoint,
// and meters both calls.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startGateway, type StartedGateway } from '../../src/server.ts';
import { startFakeBedrock, type FakeBedrock } from '../clouds/fake-bedrock.ts';
import { REGION, startFakeVertex, type FakeVertex } from '../clouds/fake-vertex.ts';
import { TEST_TIMEOUT_MS, agentEnv, claudeCommand, runAgent, waitForCalls, type AgentRun } from './agent-env.ts';

const BEDROCK_MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const VERTEX_MODEL = 'claude-sonnet-4-5@20250929';
const secret = 'claude-code-bedrock-secret';
// Global cross-region profiles of the Claude families this Claude Code knows (its built-in ids are `us.` ones).
const GLOBAL_PROFILES = [
  'claude-haiku-4-5-20251001-v1:0', 'claude-sonnet-4-5-20250929-v1:0', 'claude-sonnet-4-6', 'claude-sonnet-5', 'claude-sonnet-5-5',
  'claude-opus-4-5-20251101-v1:0', 'claude-opus-4-6-v1', 'claude-opus-4-7', 'claude-opus-4-8', 'claude-opus-5', 'claude-opus-5-5', 'claude-haiku-5-5',
].map((id) => `global.anthropic.${id}`);

function describeRun(run: AgentRun, requests: { method: string; path: string }[], gateway: StartedGateway): string {
  return [
    `exit ${run.code} signal ${run.signal} ${run.durationMs} ms${run.timedOut ? ' TIMED OUT' : ''}`,
    `--- stdout\n${run.stdout.slice(-3000)}`,
    `--- stderr\n${run.stderr.slice(-3000)}`,
    `--- upstream\n${requests.map((r) => `  ${r.method} ${r.path}`).join('\n') || '  (none)'}`,
    `--- recorded\n${gateway.calls.map((c) => `  ${c.path} ${c.status} ${c.outcome} ${c.errorKind ?? ''} model=${c.model}`).join('\n') || '  (none)'}`,
  ].join('\n');
}

/** Claude Code's own environment minus any first-party Anthropic credential: the cloud mode decides. */
function claudeCloudEnv(home: string, extra: Record<string, string>): Record<string, string> {
  return agentEnv(home, {
    CLAUDE_CONFIG_DIR: join(home, '.claude'),
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    CLAUDE_CODE_MAX_RETRIES: '1',
    CLAUDE_CODE_DISABLE_LEGACY_MODEL_REMAP: '1',
    ...extra,
  });
}

describe('Claude Code in its cloud modes through the gateway', { timeout: 4 * TEST_TIMEOUT_MS }, () => {
  let bedrock: FakeBedrock;
  let vertex: FakeVertex;
  let gateway: StartedGateway;
  let home: string;
  let workdir: string;

  before(async () => {
    bedrock = await startFakeBedrock({ secrets: { AKIDCLAUDECODE: { secretAccessKey: secret } } });
    vertex = await startFakeVertex();
    gateway = await startGateway({
      config: {
        grants: [{ src: ['*', '(loopback)'], app: { 'tailscale.com/cap/aperture': [{ role: 'admin' }, { models: '**' }] } }],
        providers: {
          bedrock: {
            baseurl: bedrock.url,
            models: [BEDROCK_MODEL],
            compatibility: { bedrock_model_invoke: true, bedrock_converse: true },
            bedrock: { region: 'us-east-1', access_key_id: 'AKIDCLAUDECODE', secret_access_key: secret },
          },
          'bedrock-global': {
            baseurl: bedrock.url,
            models: GLOBAL_PROFILES,
            compatibility: { bedrock_model_invoke: true, bedrock_converse: true },
            bedrock: { region: 'us-east-1', access_key_id: 'AKIDCLAUDECODE', secret_access_key: secret },
          },
          // Claude on Bedrock for a plain Anthropic client: /v1/messages translated to InvokeModel.
          'bedrock-messages': {
            baseurl: bedrock.url,
            models: ['claude-sonnet-4-5'],
            compatibility: { anthropic_messages: true },
            bedrock: { region: 'us-east-1', access_key_id: 'AKIDCLAUDECODE', secret_access_key: secret, model_ids: { 'claude-sonnet-4-5': BEDROCK_MODEL } },
          },
          vertex: {
            baseurl: vertex.url,
            apikey: `keyfile::${JSON.stringify(vertex.keyFile)}`,
            models: [VERTEX_MODEL],
            compatibility: { google_raw_predict: true },
            vertex: { region: REGION },
          },
        },
      },
      env: {},
    });
    home = await mkdtemp(join(tmpdir(), 'tailgate-claude-clouds-'));
    workdir = join(home, 'work');
    await mkdir(workdir);
    await mkdir(join(home, 'tmp'));
  });
  after(async () => {
    await gateway?.close();
    await bedrock?.close();
    await vertex?.close();
    if (home) await rm(home, { recursive: true, force: true, maxRetries: 3 });
  });

  /** `claude -p` in Bedrock mode with its AWS auth skipped, the gateway as its Bedrock endpoint. */
  const claudeOnBedrock = (extra: Record<string, string>): Promise<AgentRun> =>
    runAgent(claudeCommand(), ['-p', 'say hi'], {
      cwd: workdir,
      env: claudeCloudEnv(home, {
        CLAUDE_CODE_USE_BEDROCK: '1',
        CLAUDE_CODE_SKIP_BEDROCK_AUTH: '1',
        ANTHROPIC_BEDROCK_BASE_URL: `${gateway.url}/bedrock`,
        AWS_REGION: 'us-east-1',
        ...extra,
      }),
    });

  test('CLAUDE_CODE_USE_BEDROCK with ANTHROPIC_BEDROCK_BASE_URL=<gateway>/bedrock', { timeout: TEST_TIMEOUT_MS }, async () => {
    const seen = gateway.calls.length;
    const run = await claudeOnBedrock({ ANTHROPIC_MODEL: BEDROCK_MODEL, ANTHROPIC_SMALL_FAST_MODEL: BEDROCK_MODEL });
    const why = describeRun(run, bedrock.requests, gateway);
    assert.equal(run.code, 0, why);
    assert.ok(run.stdout.includes('Hello from Bedrock.'), why);
    const invoked = bedrock.requests.filter((r) => r.modelId === BEDROCK_MODEL);
    assert.ok(invoked.length >= 1, why);
    assert.ok(invoked.every((r) => r.auth === 'sigv4' && r.accessKeyId === 'AKIDCLAUDECODE'), why);
    const calls = (await waitForCalls(gateway, (all) => all.length > seen && all.slice(seen).some((c) => c.endpoint === 'bedrock-invoke-stream'))).slice(seen);
    const call = calls.find((c) => c.endpoint === 'bedrock-invoke-stream');
    assert.ok(call, why);
    assert.equal(call.provider, 'bedrock');
    assert.equal(call.outcome, 'ok', why);
    assert.match(call.userAgent ?? '', /claude-cli\//);
    assert.ok((call.usage.inputTokens ?? 0) > 0 && (call.usage.outputTokens ?? 0) > 0, JSON.stringify(call.usage));
    assert.ok((call.costUsd ?? 0) > 0, `cost ${call.costUsd}`);
  });

  test('with no model set, Claude Code picks its models from the profiles the gateway lists (ListInferenceProfiles), not its built-in `us.` ids', { timeout: TEST_TIMEOUT_MS }, async () => {
    const before = bedrock.requests.length;
    const run = await claudeOnBedrock({});
    const requests = bedrock.requests.slice(before);
    const why = describeRun(run, requests, gateway);
    assert.equal(run.code, 0, why);
    assert.ok(run.stdout.includes('Hello from Bedrock.'), why);
    const invoked = requests.filter((r) => r.operation === 'invoke-with-response-stream');
    assert.ok(invoked.length >= 1, why);
    assert.ok(invoked.every((r) => GLOBAL_PROFILES.includes(r.modelId)), why);
  });

  test('plain ANTHROPIC_BASE_URL, served by Claude on Bedrock: no cloud setup on the client', { timeout: TEST_TIMEOUT_MS }, async () => {
    const seen = gateway.calls.length;
    const before = bedrock.requests.length;
    const run = await runAgent(claudeCommand(), ['-p', 'say hi'], {
      cwd: workdir,
      env: claudeCloudEnv(home, { ANTHROPIC_BASE_URL: gateway.url, ANTHROPIC_AUTH_TOKEN: 'placeholder', ANTHROPIC_MODEL: 'claude-sonnet-4-5' }),
    });
    const why = describeRun(run, bedrock.requests.slice(before), gateway);
    assert.equal(run.code, 0, why);
    assert.ok(run.stdout.includes('Hello from Bedrock.'), why);
    const request = bedrock.requests.slice(before).find((r) => r.operation === 'invoke-with-response-stream');
    assert.ok(request, why);
    assert.equal(request.modelId, BEDROCK_MODEL);
    const body = request.json as Record<string, unknown>;
    assert.equal(body.anthropic_version, 'bedrock-2023-05-31');
    assert.ok(Array.isArray(body.anthropic_beta) && (body.anthropic_beta as string[]).includes('claude-code-20250219'), why);
    assert.equal(body.model, undefined);
    const calls = (await waitForCalls(gateway, (all) => all.slice(seen).some((c) => c.provider === 'bedrock-messages'))).slice(seen);
    const call = calls.find((c) => c.provider === 'bedrock-messages');
    assert.ok(call, why);
    assert.equal(call.endpoint, 'anthropic-messages');
    assert.equal(call.outcome, 'ok', why);
    assert.ok((call.costUsd ?? 0) > 0, `cost ${call.costUsd}`);
  });

  test('CLAUDE_CODE_USE_VERTEX with Aperture\'s placeholder project and region', { timeout: TEST_TIMEOUT_MS }, async () => {
    const seen = gateway.calls.length;
    const run = await runAgent(claudeCommand(), ['-p', 'say hi'], {
      cwd: workdir,
      env: claudeCloudEnv(home, {
        CLAUDE_CODE_USE_VERTEX: '1',
        CLAUDE_CODE_SKIP_VERTEX_AUTH: '1',
        ANTHROPIC_VERTEX_BASE_URL: `${gateway.url}/v1`,
        ANTHROPIC_VERTEX_PROJECT_ID: '_aperture_auto_vertex_project_id_',
        CLOUD_ML_REGION: '_aperture_auto_vertex_region_',
        ANTHROPIC_MODEL: VERTEX_MODEL,
        ANTHROPIC_SMALL_FAST_MODEL: VERTEX_MODEL,
      }),
    });
    const why = describeRun(run, vertex.requests, gateway);
    assert.equal(run.code, 0, why);
    // The fake answers with the Anthropic text fixture.
    assert.ok(run.stdout.includes('Hello! How can I help you today?'), why);
    const predicted = vertex.requests.filter((r) => r.publisher === 'anthropic' && r.model === VERTEX_MODEL);
    assert.ok(predicted.length >= 1, why);
    assert.ok(predicted.every((r) => r.project === 'tailgate-test-project' && r.region === REGION && r.token !== undefined), why);
    const calls = (await waitForCalls(gateway, (all) => all.slice(seen).some((c) => c.endpoint === 'vertex-stream-raw-predict'))).slice(seen);
    const call = calls.find((c) => c.endpoint === 'vertex-stream-raw-predict');
    assert.ok(call, why);
    assert.equal(call.provider, 'vertex');
    assert.equal(call.outcome, 'ok', why);
    assert.ok((call.usage.inputTokens ?? 0) > 0 && (call.usage.outputTokens ?? 0) > 0, JSON.stringify(call.usage));
    assert.ok((call.costUsd ?? 0) > 0, `cost ${call.costUsd}`);
  });
});
