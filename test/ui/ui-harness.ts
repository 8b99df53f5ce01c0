// A gateway with a config file, a durable store seeded with calls from several identities (some made
// through the gateway to the fake upstream, some inserted into the store over the past days), and a
// real headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core).
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import type { CallRecord } from '../../src/recording/call-record.ts';
import { startGateway, type StartedGateway } from '../../src/server.ts';
import { ensureUiBuilt } from '../../src/ui/ensure-built.ts';
import { keys, providersFor } from '../e2e/harness.ts';
import { fixture, startFakeUpstream, type FakeUpstream } from '../fake-upstream/fake-upstream.ts';

export const ROOT = 'root@example.com';
export const ALICE = 'alice@example.com';
export const BOB = 'bob@example.com';
const cap = 'tailscale.com/cap/aperture';
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const screenshotDir = new URL('../../test-results/ui/', import.meta.url).pathname;

export type Seeded = {
  total: number;
  byUser: Record<string, number>;
  errors: number;
  /** What the failed calls used: root's mid-stream failure (2,000 + 40 tokens, $0.0029) and alice's 429 (no usage, no price). */
  failed: { tokens: number; costUsd: number };
  /** A call of bob's, for "alice cannot read it". */
  bobCallId: string;
  /** The streamed Claude Code call with captures. */
  streamCallId: string;
  streamSession: string;
  toolCalls: number;
};

export type UiHarness = {
  fake: FakeUpstream;
  gateway: StartedGateway;
  configPath: string;
  browser: Browser;
  seeded: Seeded;
  /** Every response body any page received, to check that no key ever reached a browser. */
  bodies: { url: string; text: string }[];
  as(login: string, viewport?: { width: number; height: number }): Promise<BrowserContext>;
  close(): Promise<void>;
};

export function configDocument(fakeUrl: string, dataDir: string) {
  return {
    providers: providersFor(fakeUrl),
    identity: { sources: ['proxy'], proxy: { cidrs: ['127.0.0.1/32', '::1/128'], login_header: 'x-forwarded-email' } },
    grants: [
      { src: [ROOT], app: { [cap]: [{ role: 'admin' }, { models: '**' }] } },
      { src: [ALICE], app: { [cap]: [{ role: 'user' }, { models: ['openai/**', 'anthropic/**'] }] } },
      { src: [BOB], app: { [cap]: [{ role: 'user' }, { models: 'gemini/**' }] } },
    ],
    data_dir: dataDir,
  };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Past calls straight into the store: five days of three people with different agents and models. */
function history(now: number): CallRecord[] {
  const records: CallRecord[] = [];
  const base = (login: string, at: number): CallRecord => ({
    id: randomUUID(),
    startedAt: at,
    firstByteAt: at + 300,
    endedAt: at + 1200,
    overheadMs: 0.42,
    method: 'POST',
    path: '/v1/messages',
    login,
    identitySource: 'proxy',
    stream: true,
    status: 200,
    outcome: 'ok',
    usage: {},
    toolCalls: [],
    bytesIn: 100,
    bytesOut: 1000,
  });
  for (let d = 1; d <= 5; d++) {
    const at = Math.floor((now - d * DAY) / HOUR) * HOUR + 5 * 60_000;
    records.push({
      ...base(ALICE, at),
      endpoint: 'anthropic-messages',
      agent: 'claude-code',
      userAgent: 'claude-cli/2.1.332 (external, cli)',
      sessionId: `alice-session-${d}`,
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      usage: { inputTokens: 1000 * d, outputTokens: 100 * d },
      costUsd: 0.01 * d,
    });
    records.push({
      ...base(BOB, at + 60_000),
      path: '/v1beta/models/gemini-2.5-flash:streamGenerateContent',
      endpoint: 'gemini-stream',
      agent: 'gemini-cli',
      userAgent: 'GeminiCLI/0.61.0',
      sessionId: `bob-session-${d}`,
      provider: 'gemini',
      model: 'gemini-2.5-flash',
      usage: { inputTokens: 500, outputTokens: 50 },
      costUsd: 0.001,
    });
    // Day 2's call failed mid-stream after the upstream had reported usage: a failure with tokens and cost.
    const failed = d === 2;
    records.push({
      ...base(ROOT, at + 120_000),
      path: '/v1/responses',
      endpoint: 'openai-responses',
      agent: 'codex',
      userAgent: 'codex_exec/0.169.0',
      sessionId: `root-session-${d}`,
      provider: 'openai',
      model: 'gpt-5',
      outcome: failed ? 'upstream_error' : 'ok',
      usage: failed ? { inputTokens: 2000, outputTokens: 40 } : { inputTokens: 2000, outputTokens: 300, reasoningTokens: 120 },
      costUsd: failed ? 0.0029 : 0.02,
    });
  }
  return records;
}

async function post(url: string, login: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-email': login, ...headers }, body: JSON.stringify(body) });
}

async function seed(gateway: StartedGateway, fake: FakeUpstream): Promise<Seeded> {
  const past = history(Date.now());
  await gateway.store!.insertCalls(past.map((record) => ({ record })));
  const url = gateway.url;
  // Live calls through the gateway, so their captures, sessions and tool calls are real.
  fake.reply(fixture('anthropic-messages', 'thinking.sse').reply());
  let response = await post(url, ALICE, '/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'Why is the sky blue?' }] }, { 'user-agent': 'claude-cli/2.1.332 (external, cli)', 'x-claude-code-session-id': 'cc-live-session', authorization: 'Bearer caller-secret-token' });
  await response.text();
  const streamCallId = response.headers.get('x-tailgate-request-id')!;
  fake.reply(fixture('openai-chat', 'tool-calls.sse').reply());
  response = await post(url, ALICE, '/v1/chat/completions', { model: 'gpt-4.1', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'weather in Paris?' }] }, { 'user-agent': 'OpenAI/JS 7.57.0' });
  await response.text();
  fake.reply(fixture('anthropic-messages', 'rate-limit.error.json').reply());
  response = await post(url, ALICE, '/v1/messages', { model: 'claude-haiku-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] });
  await response.text();
  fake.reply(fixture('gemini', 'function-call.sse').reply());
  response = await post(url, BOB, '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', { contents: [{ role: 'user', parts: [{ text: 'weather?' }] }] }, { 'user-agent': 'GeminiCLI/0.61.0' });
  await response.text();
  const bobCallId = response.headers.get('x-tailgate-request-id')!;
  const total = past.length + 4;
  // Records reach the store shortly after each response: wait until all are readable.
  for (let attempt = 0; ; attempt++) {
    const listed = (await (await fetch(`${url}/api/calls?limit=1000`, { headers: { 'x-forwarded-email': ROOT } })).json()) as { items: unknown[] };
    if (listed.items.length >= total) break;
    if (attempt > 300) throw new Error(`only ${listed.items.length} of ${total} calls reached the store`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { total, byUser: { [ALICE]: 5 + 3, [BOB]: 5 + 1, [ROOT]: 5 }, errors: 2, failed: { tokens: 2040, costUsd: 0.0029 }, bobCallId, streamCallId, streamSession: 'cc-live-session', toolCalls: 4 };
}

export async function startUiHarness(): Promise<UiHarness> {
  if (!existsSync(chromiumPath)) throw new Error(`no Chromium at ${chromiumPath}: apt-get install -y chromium (.ci/run does)`);
  await ensureUiBuilt();
  await mkdir(screenshotDir, { recursive: true });
  const fake = await startFakeUpstream();
  const dir = await mkdtemp(join(tmpdir(), 'tailgate-ui-'));
  const configPath = join(dir, 'tailgate.hujson');
  await writeFile(configPath, `// UI test config\n${JSON.stringify(configDocument(fake.url, dir), null, 2)}\n`);
  const gateway = await startGateway({ config: configPath, env: {}, durable: true });
  const seeded = await seed(gateway, fake);
  // Playwright starts Chromium with a fresh temporary profile of its own (it refuses a --user-data-dir here).
  const browser = await chromium
    .launch({
      executablePath: chromiumPath,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    })
    .catch(async (error: Error) => {
      await gateway.close();
      await fake.close();
      throw error;
    });
  const bodies: { url: string; text: string }[] = [];
  const contexts: BrowserContext[] = [];
  return {
    fake,
    gateway,
    configPath,
    browser,
    seeded,
    bodies,
    async as(login, viewport = { width: 1280, height: 900 }) {
      const context = await browser.newContext({ viewport, extraHTTPHeaders: { 'x-forwarded-email': login }, acceptDownloads: true });
      context.setDefaultTimeout(10_000);
      context.on('response', (response) => {
        void response.text().then(
          (text) => bodies.push({ url: response.url(), text }),
          () => {},
        );
      });
      contexts.push(context);
      return context;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => {});
      await browser.close();
      await gateway.close();
      await fake.close();
    },
  };
}

export { keys };

/** Waits until the locator's text matches (the page loads data after it renders). */
export async function waitText(locator: Locator, expected: string | RegExp, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    last = ((await locator.first().textContent({ timeout: timeoutMs }).catch(() => '')) ?? '').trim();
    if (typeof expected === 'string' ? last === expected : expected.test(last)) return last;
    if (Date.now() > deadline) throw new Error(`text of ${locator} is ${JSON.stringify(last)}, expected ${expected}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until an input's value matches. */
export async function waitValue(locator: Locator, expected: RegExp, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await locator.inputValue({ timeout: timeoutMs }).catch(() => '');
    if (expected.test(value)) return value;
    if (Date.now() > deadline) throw new Error(`value of ${locator} is ${JSON.stringify(value.slice(0, 200))}, expected ${expected}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A full-page screenshot under test-results/ui/ (a CI artifact, gitignored). */
export async function shot(page: Page, name: string): Promise<void> {
  await page.waitForLoadState('networkidle').catch(() => {});
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}

/** The number in a summary card. */
export function card(page: Page, id: string): Locator {
  return page.locator(`[data-testid="${id}"] .card-value`);
}
