// Shared set-up for the coding-agent end-to-end tests: the real, unmodified CLIs (installed as
// devDependencies) run against a gateway in front of the fake upstream, each in a throwaway HOME so
// nothing from this machine's own configuration leaks in, with a minimal environment so nothing from
// the test runner's environment leaks in either (no inherited ANTHROPIC_*/OPENAI_*/GEMINI_* keys, no
// HTTP(S)_PROXY that could send 127.0.0.1 traffic to a proxy). Every CLI is configured to talk only
// to 127.0.0.1: telemetry, update checks, feedback and plugin/marketplace syncs are switched off.
//
// How each CLI calls a gateway is summarised in /work/shared/reference/providers.md §2 and in
// test/agents/README.md (what we observed of these exact versions).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGateway, type StartedGateway } from '../../src/server.ts';
import type { CallRecord } from '../../src/recording/call-record.ts';
import { startFakeUpstream, type FakeUpstream, type RecordedRequest } from '../fake-upstream/fake-upstream.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(join(REPO_ROOT, 'package.json'));

/** The key every CLI is given. It must never reach the upstream. */
export const PLACEHOLDER_KEY = 'placeholder';

/** Provider keys the gateway holds; the tests assert they, and only they, reach the fake upstream. */
export const GATEWAY_KEYS = { anthropic: 'sk-ant-gateway-secret', openai: 'sk-openai-gateway-secret', gemini: 'gemini-gateway-secret' } as const;

/** Generous: a CLI turn against the fake takes 0.3–2 s, but CI machines can be slow to start a 400 MB binary. */
export const AGENT_TIMEOUT_MS = 75_000;
export const TEST_TIMEOUT_MS = 90_000;

/**
 * Models the CLIs ask for. The pinned ones have prices (so cost is asserted); the others are what
 * each CLI version picks on its own, listed so a run with no model setting also routes:
 *  - Claude Code 2.1.332 defaults to `claude-opus-5-5`;
 *  - Codex 0.169.0 defaults to `gpt-6.1-sol`;
 *  - Gemini CLI 0.61.0 in `auto` mode first asks `gemini-3.5-flash-lite:generateContent` to classify
 *    the prompt, then streams from `gemini-3.8-flash` (simple) or `gemini-3.1-pro-preview` (complex).
 */
export const AGENT_MODELS = {
  anthropic: ['claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-5', 'claude-opus-5-5'],
  openai: ['gpt-5', 'gpt-5-codex', 'gpt-6.1-sol'],
  gemini: ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-3.5-flash-lite', 'gemini-3.8-flash', 'gemini-3.1-pro-preview'],
} as const;

export function gatewayConfig(fakeUrl: string): object {
  return {
    providers: {
      anthropic: {
        baseurl: fakeUrl,
        apikey: GATEWAY_KEYS.anthropic,
        authorization: 'x-api-key',
        models: [...AGENT_MODELS.anthropic],
        compatibility: { anthropic_messages: true },
      },
      openai: {
        baseurl: fakeUrl,
        apikey: GATEWAY_KEYS.openai,
        models: [...AGENT_MODELS.openai],
        compatibility: { openai_chat: true, openai_responses: true },
      },
      gemini: {
        baseurl: fakeUrl,
        apikey: GATEWAY_KEYS.gemini,
        authorization: 'x-goog-api-key',
        models: [...AGENT_MODELS.gemini],
        compatibility: { gemini_generate_content: true },
      },
    },
    grants: [{ src: ['*', '(loopback)'], app: { 'tailscale.com/cap/aperture': [{ role: 'admin' }, { models: '**' }] } }],
  };
}

// ---- the stack: fake upstream + gateway + a throwaway home

export type AgentStack = {
  fake: FakeUpstream;
  gateway: StartedGateway;
  /** A fresh directory used as HOME (and the CLI's config dir); removed by close(). */
  home: string;
  /** An empty working directory inside `home`, outside any git repository. */
  workdir: string;
  close(): Promise<void>;
};

export async function startAgentStack(name: string): Promise<AgentStack> {
  const fake = await startFakeUpstream();
  let gateway: StartedGateway;
  try {
    gateway = await startGateway({ config: gatewayConfig(fake.url), env: {} });
  } catch (error) {
    await fake.close();
    throw error;
  }
  const home = await mkdtemp(join(tmpdir(), `tailgate-${name}-`));
  const workdir = join(home, 'work');
  await mkdir(workdir);
  await mkdir(join(home, 'tmp'));
  return {
    fake,
    gateway,
    home,
    workdir,
    async close() {
      await gateway.close();
      await fake.close();
      await rm(home, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

/**
 * A clean environment for a CLI: nothing inherited but PATH (with this Node first, so a CLI that
 * re-executes `node` gets Node 24), plus a throwaway HOME and XDG dirs. Proxies are not inherited
 * and loopback is excluded from any proxy a CLI might still discover.
 */
export function agentEnv(home: string, extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {
    PATH: [dirname(process.execPath), process.env.PATH ?? '/usr/bin:/bin'].join(delimiter),
    HOME: home,
    USERPROFILE: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    TMPDIR: join(home, 'tmp'),
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    NO_COLOR: '1',
    NO_PROXY: '127.0.0.1,localhost,::1',
    no_proxy: '127.0.0.1,localhost,::1',
  };
  // Windows needs these to start anything at all.
  for (const name of ['SystemRoot', 'SYSTEMROOT', 'windir', 'ComSpec', 'PATHEXT']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}

// ---- locating the CLIs (installed by `npm ci` as devDependencies)

export type AgentCommand = { file: string; args: string[] };

function isNativeExecutable(file: string): boolean {
  if (!existsSync(file) || statSync(file).size < 1024 * 1024) return false;
  const fd = openSync(file, 'r');
  try {
    const magic = Buffer.alloc(4);
    readSync(fd, magic, 0, 4, 0);
    const hex = magic.toString('hex');
    // ELF, Mach-O (both byte orders, 64-bit and fat), PE.
    return hex === '7f454c46' || hex === 'cffaedfe' || hex === 'feedfacf' || hex === 'cafebabe' || hex.startsWith('4d5a');
  } finally {
    closeSync(fd);
  }
}

const platformKey = (): string => {
  const musl = process.platform === 'linux' && !(process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header?.glibcVersionRuntime;
  return `${process.platform}-${process.arch}${musl ? '-musl' : ''}`;
};

/**
 * Claude Code ships a stub `bin/claude.exe` that its postinstall replaces with the native binary
 * from the matching optional dependency (package.json allows that script under `allowScripts`). If
 * the install ran with scripts disabled the stub is still there, so fall back to the platform
 * package's binary, which is the same file.
 */
export function claudeCommand(): AgentCommand {
  const wrapperDir = dirname(require.resolve('@anthropic-ai/claude-code/package.json'));
  const installed = join(wrapperDir, 'bin', 'claude.exe'); // the name on every platform
  if (isNativeExecutable(installed)) return { file: installed, args: [] };
  const platformPackage = `@anthropic-ai/claude-code-${platformKey()}`;
  try {
    const dir = dirname(require.resolve(`${platformPackage}/package.json`));
    const binary = join(dir, process.platform === 'win32' ? 'claude.exe' : 'claude');
    if (isNativeExecutable(binary)) return { file: binary, args: [] };
  } catch {
    // fall through to the error below
  }
  throw new Error(`Claude Code's native binary is missing: ${installed} is the install stub and ${platformPackage} is not installed (run npm ci with optional dependencies and install scripts allowed)`);
}

/** `bin/codex.js` picks the native binary from the `@openai/codex-<platform>` optional dependency. */
export function codexCommand(): AgentCommand {
  return { file: process.execPath, args: [require.resolve('@openai/codex/bin/codex.js')] };
}

export function geminiCommand(): AgentCommand {
  const dir = dirname(require.resolve('@google/gemini-cli/package.json'));
  return { file: process.execPath, args: [join(dir, 'bundle', 'gemini.js')] };
}

// ---- per-CLI configuration

/** Claude Code: base URL + placeholder bearer token, nothing else (see README.md for why not ANTHROPIC_API_KEY). */
export function claudeEnv(stack: AgentStack, extra: Record<string, string> = {}): Record<string, string> {
  return agentEnv(stack.home, {
    ANTHROPIC_BASE_URL: stack.gateway.url,
    ANTHROPIC_AUTH_TOKEN: PLACEHOLDER_KEY,
    CLAUDE_CONFIG_DIR: join(stack.home, '.claude'),
    // Keep it on 127.0.0.1: no telemetry, no error reports, no update checks, no other side traffic
    // (this also skips the fire-and-forget `HEAD {base}/api/hello` preconnect).
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    // Default is 10 retries with backoff: a failing gateway would make the test hang for minutes
    // instead of failing in a second with the gateway's error on stdout.
    CLAUDE_CODE_MAX_RETRIES: '1',
    ...extra,
  });
}

export const CODEX_KEY_ENV = 'TAILGATE_API_KEY';

/** Codex: a custom provider in `$CODEX_HOME/config.toml`; everything that phones home is off. */
export async function writeCodexConfig(stack: AgentStack, options: { model?: string } = {}): Promise<string> {
  const codexHome = join(stack.home, '.codex');
  await mkdir(codexHome, { recursive: true });
  const lines = [
    ...(options.model ? [`model = ${JSON.stringify(options.model)}`] : []),
    'model_provider = "tailgate"',
    'check_for_update_on_startup = false',
    '',
    '[model_providers.tailgate]',
    'name = "Tailgate"',
    `base_url = ${JSON.stringify(`${stack.gateway.url}/v1`)}`,
    `env_key = "${CODEX_KEY_ENV}"`,
    'wire_api = "responses"',
    'supports_websockets = false',
    // Fail fast instead of retrying with backoff when the gateway answers with an error.
    'request_max_retries = 0',
    'stream_max_retries = 0',
    '',
    // Without these, 0.169 resolves api.github.com (plugin marketplace) and chatgpt.com (apps /
    // remote plugins) in the background during `exec`.
    '[features]',
    'plugins = false',
    'remote_plugin = false',
    'apps = false',
    'in_app_updates = false',
    'tool_suggest = false',
    // Skips spawning a login shell to snapshot its environment: nothing here runs commands.
    'shell_snapshot = false',
    '',
    '[analytics]',
    'enabled = false',
    '',
    '[feedback]',
    'enabled = false',
    '',
    '[otel]',
    'exporter = "none"',
    '',
  ];
  await writeFile(join(codexHome, 'config.toml'), lines.join('\n'));
  return codexHome;
}

export function codexEnv(stack: AgentStack, codexHome: string): Record<string, string> {
  return agentEnv(stack.home, { CODEX_HOME: codexHome, [CODEX_KEY_ENV]: PLACEHOLDER_KEY });
}

/** Gemini CLI: API-key auth selected up front (no auth dialog), usage statistics and updates off. */
export async function writeGeminiSettings(stack: AgentStack): Promise<void> {
  const dir = join(stack.home, '.gemini');
  await mkdir(dir, { recursive: true });
  const settings = {
    security: { auth: { selectedType: 'gemini-api-key' } },
    privacy: { usageStatisticsEnabled: false },
    telemetry: { enabled: false },
    general: {
      enableAutoUpdate: false,
      enableAutoUpdateNotification: false,
      // Default 10 attempts with backoff; 1 makes a gateway error fail the run at once.
      maxAttempts: 1,
    },
  };
  await writeFile(join(dir, 'settings.json'), JSON.stringify(settings, null, 2));
}

export function geminiEnv(stack: AgentStack, extra: Record<string, string> = {}): Record<string, string> {
  return agentEnv(stack.home, {
    GOOGLE_GEMINI_BASE_URL: stack.gateway.url,
    GEMINI_API_KEY: PLACEHOLDER_KEY,
    ...extra,
  });
}

// ---- running a CLI

export type AgentRun = {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
};

/**
 * Runs a CLI to completion with stdin closed (so none of them waits for input), in its own process
 * group so a timeout also ends the native child that a JS wrapper spawned.
 */
export function runAgent(command: AgentCommand, args: string[], options: { env: Record<string, string>; cwd: string; timeoutMs?: number }): Promise<AgentRun> {
  const started = Date.now();
  const child = spawn(command.file, [...command.args, ...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: process.platform !== 'win32',
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  let timedOut = false;
  const killGroup = (): void => {
    if (child.pid === undefined) return;
    try {
      if (process.platform === 'win32') child.kill('SIGKILL');
      else process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, options.timeoutMs ?? AGENT_TIMEOUT_MS);
  return new Promise((resolve, reject) => {
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      killGroup(); // whatever the CLI left running in its group (none expected)
      resolve({
        code,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        durationMs: Date.now() - started,
        timedOut,
      });
    });
  });
}

// ---- diagnostics for assertion messages

const tail = (text: string, max = 3000): string => (text.length > max ? `…${text.slice(-max)}` : text);

/** Everything needed to see why a run failed, in one assertion message. */
export function describeRun(run: AgentRun, stack: AgentStack): string {
  const requests = stack.fake.requests.map((r) => `  ${r.method} ${r.path}`).join('\n') || '  (none)';
  const calls = stack.gateway.calls.map((c) => `  ${c.method} ${c.path} → ${c.status} ${c.outcome}${c.errorKind ? ` (${c.errorKind})` : ''} model=${c.model} provider=${c.provider}`).join('\n') || '  (none)';
  return [
    `exit code ${run.code}, signal ${run.signal}, ${run.durationMs} ms${run.timedOut ? ' (TIMED OUT, killed)' : ''}`,
    `--- stdout\n${tail(run.stdout)}`,
    `--- stderr\n${tail(run.stderr)}`,
    `--- requests the fake upstream received\n${requests}`,
    `--- calls the gateway recorded\n${calls}`,
  ].join('\n');
}

export function header(request: RecordedRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Records are written when a call ends, which can be a moment after the CLI has printed and exited. */
export async function waitForCalls(gateway: StartedGateway, predicate: (calls: CallRecord[]) => boolean, timeoutMs = 5000): Promise<CallRecord[]> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate(gateway.calls)) {
    if (Date.now() > deadline) return gateway.calls;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return gateway.calls;
}

/**
 * The call an agent's streamed turn on `model` left in the gateway, checked as every agent test checks
 * it: served by `provider`, 200 and ok, streamed, from the agent's user agent, tokens and cost metered.
 */
export async function assertMeteredTurn(stack: AgentStack, expected: { model: string; provider: string; userAgent: RegExp }, why: string): Promise<CallRecord> {
  const calls = await waitForCalls(stack.gateway, (all) => all.some((c) => c.model === expected.model));
  const call = calls.find((c) => c.model === expected.model);
  assert.ok(call, why);
  assert.equal(call.provider, expected.provider);
  assert.equal(call.status, 200);
  assert.equal(call.outcome, 'ok');
  assert.equal(call.stream, true);
  assert.match(call.userAgent ?? '', expected.userAgent);
  assert.ok((call.usage.inputTokens ?? 0) > 0, `input tokens metered: ${JSON.stringify(call.usage)}`);
  assert.ok((call.usage.outputTokens ?? 0) > 0, `output tokens metered: ${JSON.stringify(call.usage)}`);
  assert.ok((call.costUsd ?? 0) > 0, `cost computed: ${call.costUsd}`);
  return call;
}

/** Every credential-bearing header of a request, to prove the placeholder never left the gateway. */
export function credentialHeaders(request: RecordedRequest): string[] {
  return ['authorization', 'x-api-key', 'x-goog-api-key', 'api-key']
    .map((name) => header(request, name))
    .filter((value): value is string => value !== undefined);
}
