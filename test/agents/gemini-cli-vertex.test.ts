// Gemini CLI (the real CLI) in Vertex mode, pointed at the gateway with GOOGLE_VERTEX_BASE_URL and a
// placeholder Express key: the gateway serves the call from a Vertex provider with a service
// account (the fake token endpoint verifies its assertion) under the configured project and region.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startGateway, type StartedGateway } from '../../src/server.ts';
import { PROJECT, REGION, startFakeVertex, type FakeVertex } from '../clouds/fake-vertex.ts';
import { TEST_TIMEOUT_MS, agentEnv, geminiCommand, runAgent, waitForCalls } from './agent-env.ts';

describe('Gemini CLI in Vertex mode through the gateway', { timeout: 2 * TEST_TIMEOUT_MS }, () => {
  let vertex: FakeVertex;
  let gateway: StartedGateway;
  let home: string;

  before(async () => {
    vertex = await startFakeVertex();
    gateway = await startGateway({
      config: {
        grants: [{ src: ['*', '(loopback)'], app: { 'tailscale.com/cap/aperture': [{ role: 'admin' }, { models: '**' }] } }],
        providers: {
          vertex: {
            baseurl: vertex.url,
            apikey: `keyfile::${JSON.stringify(vertex.keyFile)}`,
            models: ['gemini-2.5-flash'],
            compatibility: { google_generate_content: true },
            vertex: { region: REGION },
          },
        },
      },
      env: {},
    });
    home = await mkdtemp(join(tmpdir(), 'tailgate-gemini-vertex-'));
    await mkdir(join(home, 'work'));
    await mkdir(join(home, 'tmp'));
    await mkdir(join(home, '.gemini'));
    await writeFile(
      join(home, '.gemini', 'settings.json'),
      JSON.stringify({
        security: { auth: { selectedType: 'vertex-ai' } },
        privacy: { usageStatisticsEnabled: false },
        telemetry: { enabled: false },
        general: { enableAutoUpdate: false, enableAutoUpdateNotification: false, maxAttempts: 1 },
      }),
    );
  });
  after(async () => {
    await gateway?.close();
    await vertex?.close();
    if (home) await rm(home, { recursive: true, force: true, maxRetries: 3 });
  });

  test('gemini -p in Vertex mode prints the answer; the call is metered', { timeout: TEST_TIMEOUT_MS }, async () => {
    const run = await runAgent(geminiCommand(), ['-p', 'say hi', '--skip-trust', '-m', 'gemini-2.5-flash'], {
      cwd: join(home, 'work'),
      env: agentEnv(home, { GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_API_KEY: 'placeholder', GOOGLE_VERTEX_BASE_URL: gateway.url }),
    });
    const why = [`exit ${run.code}`, run.stdout.slice(-2000), run.stderr.slice(-3000), vertex.requests.map((r) => `${r.method} ${r.path}`).join('\n'), gateway.calls.map((c) => `${c.path} ${c.status} ${c.outcome}`).join('\n')].join('\n---\n');
    assert.equal(run.code, 0, why);
    assert.ok(run.stdout.trim().length > 0, why);
    const request = vertex.requests.find((r) => r.publisher === 'google');
    assert.ok(request, why);
    assert.deepEqual([request.project, request.region, request.model], [PROJECT, REGION, 'gemini-2.5-flash']);
    assert.equal(request.apiKey, undefined, 'the placeholder key stays at the gateway');
    assert.ok(request.token, 'the gateway\'s OAuth token went instead');
    const calls = await waitForCalls(gateway, (all) => all.some((c) => c.outcome === 'ok'));
    const call = calls.find((c) => c.provider === 'vertex');
    assert.ok(call, why);
    assert.equal(call.outcome, 'ok', why);
    assert.ok((call.costUsd ?? 0) > 0, `cost ${call.costUsd}`);
  });
});
