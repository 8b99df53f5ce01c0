// The web UI in a real headless Chromium against a gateway seeded with calls from three identities:
// root (admin), alice and bob (users). Every page is screenshotted to test-results/ui/.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { ALICE, BOB, card, keys, ROOT, shot, startUiHarness, waitText, waitValue, type UiHarness } from './ui-harness.ts';

let h: UiHarness;
let admin: Page;

before(async () => {
  h = await startUiHarness();
  admin = await (await h.as(ROOT)).newPage();
});
after(async () => {
  await h?.close();
});

const ui = (path: string) => `${h.gateway.url}/ui${path}`;

async function callAs(login: string, model: string): Promise<number> {
  const gemini = model.startsWith('gemini');
  const path = gemini ? `/v1beta/models/${model}:generateContent` : model.startsWith('claude') ? '/v1/messages' : '/v1/chat/completions';
  const body = gemini ? { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] } : { model, max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] };
  const response = await fetch(`${h.gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-email': login }, body: JSON.stringify(body) });
  await response.arrayBuffer();
  return response.status;
}

test('the UI is served at /ui with a strict CSP; every app route gets index.html, a missing asset is 404', async () => {
  const get = (path: string) => fetch(`${h.gateway.url}${path}`, { redirect: 'manual' });
  const bare = await get('/ui');
  assert.equal(bare.status, 308);
  assert.equal(bare.headers.get('location'), '/ui/');
  for (const path of ['/ui/', '/ui/users/alice@example.com', '/ui/calls/x']) {
    const response = await get(path);
    assert.equal(response.status, 200, path);
    assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    const html = await response.text();
    assert.match(html, /<div id="app">/);
    assert.ok(!/https?:\/\//.test(html.replace(/http:\/\/www\.w3\.org[^"]*/g, '')), 'no external URL in the page');
  }
  assert.equal((await get('/ui/assets/nope.js')).status, 404);
});

test('overview: cards and the four charts show the seeded numbers; filters change them', async () => {
  const { seeded } = h;
  await admin.goto(ui('/'));
  await waitText(card(admin, 'card-requests'), String(seeded.total));
  await waitText(card(admin, 'card-users'), '3');
  await waitText(card(admin, 'card-errors'), `${((seeded.errors / seeded.total) * 100).toFixed(1)}%`);
  for (const stack of ['user', 'agent', 'model', 'provider']) await admin.locator(`[data-testid="bars-${stack}"] canvas`).waitFor();
  // The canvas describes itself: every user appears in the by-user chart's summary.
  const summary = (await admin.locator('[data-testid="bars-user"] canvas').getAttribute('aria-label')) ?? '';
  for (const login of [ALICE, BOB, ROOT]) assert.ok(summary.includes(login), summary);
  await admin.locator('nav[aria-label="Main"]').getByRole('link', { name: 'Users' }).waitFor();
  await shot(admin, '01-overview-admin');

  // Each chart's data downloads as CSV.
  const csvHref = await admin.locator('[data-testid="chart-model"] a[download]').getAttribute('href');
  const csv = await (await fetch(`${h.gateway.url}${csvHref}`, { headers: { 'x-forwarded-email': ROOT } })).text();
  assert.match(csv.split('\r\n')[0], /^bucket,model,requests,errors,inputTokens,outputTokens/);
  assert.ok(csv.includes('claude-sonnet-4-5') && csv.includes('gemini-2.5-flash'));

  // Filters: by user, by model, by status; each is kept in the address.
  await admin.selectOption('select[name="user"]', ALICE);
  await waitText(card(admin, 'card-requests'), String(seeded.byUser[ALICE]));
  assert.match(admin.url(), /user=alice%40example\.com/);
  await waitText(card(admin, 'card-users'), '1');
  await admin.selectOption('select[name="user"]', '');
  await admin.selectOption('select[name="model"]', 'gemini-2.5-flash');
  await waitText(card(admin, 'card-requests'), '6');
  await admin.selectOption('select[name="model"]', '');
  // Failed calls are rolled up by outcome: "Errors only" shows exactly the failed calls' requests, tokens and cost.
  await admin.selectOption('select[name="status"]', 'errors');
  await waitText(card(admin, 'card-requests'), String(seeded.errors));
  await waitText(card(admin, 'card-tokens'), seeded.failed.tokens.toLocaleString('en'));
  await waitText(card(admin, 'card-cost'), `$${seeded.failed.costUsd.toFixed(4)}`);
  await waitText(admin.locator('[data-testid="card-requests"]'), new RegExp(`of ${seeded.total} requests`));
  await waitText(card(admin, 'card-errors'), `${((seeded.errors / seeded.total) * 100).toFixed(1)}%`);
  await admin.locator('[data-testid="bars-agent"] canvas').waitFor();
  assert.equal(await admin.getByText('not split').count(), 0, 'no hint that rollups cannot split by status');
  await shot(admin, '01-overview-errors');
  await admin.selectOption('select[name="status"]', '');
  await waitText(card(admin, 'card-requests'), String(seeded.total));
  // Tokens ↔ cost toggle.
  await admin.getByRole('radio', { name: 'Cost' }).click();
  await waitText(admin.locator('[data-testid="chart-model"] h2'), 'Cost by model');
  await admin.getByRole('radio', { name: 'Tokens' }).click();

  // A phone-sized screen: the menu collapses behind a button.
  const phone = await (await h.as(ROOT, { width: 390, height: 844 })).newPage();
  await phone.goto(ui('/'));
  await waitText(card(phone, 'card-requests'), String(seeded.total));
  assert.equal(await phone.locator('nav#nav').isVisible(), false);
  await phone.getByRole('button', { name: 'Menu' }).click();
  assert.equal(await phone.locator('nav#nav').isVisible(), true);
  await shot(phone, '02-overview-phone-menu');
  await phone.getByRole('button', { name: 'Menu' }).click();
  await shot(phone, '02-overview-phone');
  const overflow = (await phone.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
  assert.ok(overflow <= 1, `the page scrolls sideways on a phone by ${overflow}px`);
});

test('users table sorts and leads to a user dashboard with that user’s numbers', async () => {
  await admin.goto(ui('/users'));
  const table = admin.locator('[data-testid="users-table"]');
  await waitText(table.locator('tbody tr').first().locator('th'), /@example\.com/);
  assert.equal(await table.locator('tbody tr').count(), 3);
  // Sorted by input tokens: root (2000×5), alice (1000+…+5000 + live), bob.
  const firstColumn = async () => (await table.locator('tbody tr th').allTextContents()).map((text) => text.trim());
  assert.deepEqual(await firstColumn(), [ALICE, ROOT, BOB]);
  await table.getByRole('button', { name: /^User/ }).click();
  assert.deepEqual(await firstColumn(), [BOB, ALICE, ROOT].sort().reverse());
  assert.equal(await table.locator('th[aria-sort]').count(), 1);
  await table.getByRole('button', { name: /^Requests/ }).click();
  await shot(admin, '03-users');
  await table.getByRole('link', { name: BOB }).click();
  await waitText(admin.locator('h1'), BOB);
  await waitText(card(admin, 'card-requests'), String(h.seeded.byUser[BOB]));
  await waitText(admin.locator('[data-testid="user-models"] tbody tr th').first(), 'gemini-2.5-flash');
  await admin.locator('[data-testid="bars-model"] canvas').waitFor();
  await shot(admin, '04-user-dashboard');
});

test('models and agents pages: provider, compatibility, price per 1M, usage', async () => {
  await admin.goto(ui('/models'));
  const table = admin.locator('[data-testid="models-table"]');
  const sonnet = table.locator('tbody tr', { hasText: 'claude-sonnet-4-5' });
  await sonnet.waitFor();
  const cells = (await sonnet.locator('th, td').allTextContents()).map((text) => text.trim());
  assert.equal(cells[0], 'claude-sonnet-4-5');
  assert.equal(cells[1], 'anthropic');
  assert.match(cells[2], /Messages/);
  assert.match(cells[3], /^\$3\.00 \/ \$15\.00/);
  assert.equal(cells[4], '6', 'five past calls and one live stream');
  await sonnet.locator('details.price summary').click();
  assert.match(await sonnet.locator('details.price').textContent() ?? '', /Cache read\$0\.30.*Reasoning\$15\.00/s);
  await shot(admin, '05-models');

  await admin.goto(ui('/agents'));
  const agents = admin.locator('[data-testid="agents-table"]');
  await agents.locator('tbody tr').first().waitFor();
  const row = async (name: string) => (await agents.locator('tbody tr', { hasText: name }).locator('th, td').allTextContents()).map((text) => text.trim());
  await waitText(agents.locator('tbody tr', { hasText: 'Claude Code' }).locator('td').first(), '6');
  assert.equal((await row('Gemini CLI'))[1], '6');
  assert.equal((await row('Codex'))[1], '5');
  await admin.locator('[data-testid="bars-agent"] canvas').waitFor();
  await shot(admin, '06-agents');
});

test('sessions → session → call detail with redacted headers, reassembled stream, events and tool calls', async () => {
  await admin.goto(ui('/sessions'));
  const sessions = admin.locator('[data-testid="sessions-table"]');
  await sessions.getByRole('link', { name: h.seeded.streamSession }).waitFor();
  assert.ok((await sessions.locator('tbody tr').count()) >= 17);
  await shot(admin, '07-sessions');
  await sessions.getByRole('link', { name: h.seeded.streamSession }).click();
  await waitText(admin.locator('h1'), 'Session');
  const calls = admin.locator('[data-testid="session-calls"]');
  await calls.locator('tbody tr').first().waitFor();
  assert.equal(await calls.locator('tbody tr').count(), 1);
  await shot(admin, '08-session');
  await calls.locator('tbody tr a').first().click();
  await admin.locator('[data-testid="call-usage"]').waitFor();
  assert.match((await admin.locator('[data-testid="call-usage"]').textContent()) ?? '', /Input12,300.*Cache read10,240.*Output356.*Reasoning201/s);
  const page = (await admin.locator('main').textContent()) ?? '';
  assert.ok(page.includes('[redacted]'), 'the caller’s authorization header is shown redacted');
  assert.ok(!page.includes('caller-secret-token'));
  const reassembled = JSON.parse((await admin.locator('[data-testid="response-reassembled"]').textContent()) ?? '{}');
  assert.equal(reassembled.type, 'message');
  assert.equal(reassembled.stop_reason, 'end_turn');
  assert.deepEqual(reassembled.content.map((block: { type: string }) => block.type), ['thinking', 'text']);
  assert.ok(reassembled.content[1].text.length > 20);
  assert.match((await admin.locator('[data-testid="request-body"]').textContent()) ?? '', /Why is the sky blue\?/);
  await shot(admin, '09-call-detail');
  await admin.getByRole('radio', { name: /Stream events/ }).click();
  assert.ok((await admin.locator('[data-testid="response-events"] li').count()) > 5);
  await admin.locator('[data-testid="response-events"]').getByText('message_start').first().waitFor();

  // The calls view filters by status, and a tool-calling stream shows its tool calls.
  await admin.goto(ui('/sessions?view=calls'));
  await admin.locator('[data-testid="calls-table"] tbody tr').first().waitFor();
  await admin.selectOption('select[name="status"]', 'upstream_error');
  await waitText(admin.locator('[data-testid="calls-table"] tbody tr').first(), /429 upstream_error|500 upstream_error/);
  assert.equal(await admin.locator('[data-testid="calls-table"] tbody tr').count(), 2);
  await admin.selectOption('select[name="status"]', '');
  await admin.selectOption('select[name="model"]', 'gpt-4.1');
  await waitText(admin.locator('[data-testid="calls-table"] tbody tr td').nth(2), 'gpt-4.1');
  await shot(admin, '10-calls');
  await admin.locator('[data-testid="calls-table"] tbody tr a').first().click();
  await admin.locator('[data-testid="call-tools"]').waitFor();
  assert.match((await admin.locator('[data-testid="call-tools"]').textContent()) ?? '', /get_weather.*Paris.*get_time/s);
  const rebuilt = JSON.parse((await admin.locator('[data-testid="response-reassembled"]').textContent()) ?? '{}');
  assert.deepEqual(rebuilt.choices[0].message.tool_calls.map((call: { function: { name: string } }) => call.function.name), ['get_weather', 'get_time']);
  assert.equal(rebuilt.choices[0].finish_reason, 'tool_calls');
});

test('tool use: calls over time and by tool, user and agent', async () => {
  await admin.goto(ui('/tools'));
  await waitText(card(admin, 'card-tool-calls'), String(h.seeded.toolCalls));
  await waitText(card(admin, 'card-tools'), '2');
  const byTool = admin.locator('[data-testid="tools-by-tool"] tbody tr');
  assert.deepEqual((await byTool.allTextContents()).map((t) => t.trim()).sort(), ['get_time2', 'get_weather2']);
  await admin.locator('[data-testid="chart-tools"] canvas').waitFor();
  await shot(admin, '11-tool-use');
  await admin.selectOption('select[name="user"]', BOB);
  await waitText(card(admin, 'card-tool-calls'), '2');
});

test('connect an agent: setups for five clients with this gateway’s URL', async () => {
  await admin.goto(ui('/connect'));
  const text = (await admin.locator('main').textContent()) ?? '';
  for (const name of ['Claude Code', 'Codex', 'Gemini CLI', 'OpenCode', 'curl']) assert.ok(text.includes(name), name);
  assert.ok(text.includes(`ANTHROPIC_BASE_URL=${h.gateway.url}`));
  assert.ok(text.includes(`base_url = "${h.gateway.url}/v1"`));
  assert.ok(text.includes(`GOOGLE_GEMINI_BASE_URL=${h.gateway.url}`));
  await shot(admin, '12-connect');
});

test('access: an admin edits a grant and the next call by that user is allowed, then denied', async () => {
  assert.equal(await callAs(BOB, 'gpt-4.1'), 403, 'bob starts with gemini only');
  await admin.goto(ui('/access'));
  const grants = admin.locator('[data-testid="grants"] > li');
  await grants.first().waitFor();
  assert.equal(await grants.count(), 3);
  const bob = grants.nth(2);
  assert.equal(await bob.locator('input[name="src-2"]').inputValue(), BOB);
  // Live preview of a glob against the configured models.
  await bob.locator('#grant-2-glob').fill('anthropic/claude-*');
  await waitText(admin.locator('[data-testid="glob-preview-2"]'), 'Matches 2: anthropic/claude-sonnet-4-5, anthropic/claude-haiku-4-5');
  await bob.locator('#grant-2-glob').fill('');
  await bob.locator('#grant-2-pick').selectOption('openai/gpt-4.1');
  await bob.locator('.chip code', { hasText: 'openai/gpt-4.1' }).waitFor();
  // "What can bob use?" with the unsaved change.
  await admin.locator('input[name="who"]').fill(BOB);
  await admin.getByRole('button', { name: 'Check' }).click();
  await waitText(admin.locator('[data-testid="access-check"] p'), /bob@example\.com: role user, 3 models \(from grant #3\)/);
  await shot(admin, '13-access');
  await admin.getByRole('button', { name: 'Save grants' }).click();
  await waitText(admin.locator('[data-testid="save-message"]'), /Grants saved/);
  assert.equal(await callAs(BOB, 'gpt-4.1'), 200, 'allowed at once, no restart');
  assert.equal(await callAs(BOB, 'gpt-5'), 403, 'only the model that was granted');
  const saved = await readFile(h.configPath, 'utf8');
  assert.ok(saved.includes('"openai/gpt-4.1"') && saved.includes(keys.openai), 'the file has the grant and still the keys');

  await grants.nth(2).getByRole('button', { name: 'Remove openai/gpt-4.1' }).click();
  await admin.getByRole('button', { name: 'Save grants' }).click();
  await waitText(admin.locator('[data-testid="save-message"]'), /Grants saved/);
  assert.equal(await callAs(BOB, 'gpt-4.1'), 403, 'denied again');

  // The lockout guard: root cannot save a config that takes their own admin role away.
  await admin.selectOption('select[name="role-0"]', 'user');
  await admin.getByRole('button', { name: 'Save grants' }).click();
  await waitText(admin.locator('[data-testid="save-message"]'), /removes your own admin role \(root@example\.com\)/);
  await shot(admin, '14-access-lockout');
  await admin.getByRole('button', { name: 'Discard changes' }).click();
  assert.equal(await callAs(ROOT, 'gpt-4.1'), 200);
});

test('providers: keys are write-only; add, edit and disable take effect at once', async () => {
  await admin.goto(ui('/providers'));
  const table = admin.locator('[data-testid="providers-table"]');
  await table.locator('tbody tr').first().waitFor();
  assert.equal(await table.locator('tbody tr').count(), 3);
  assert.equal(await table.getByText('stored').count(), 3);
  await shot(admin, '15-providers');

  await table.getByRole('button', { name: 'Disable gemini' }).click();
  await table.getByRole('button', { name: 'Enable gemini' }).waitFor();
  assert.notEqual(await callAs(BOB, 'gemini-2.5-flash'), 200, 'a disabled provider serves nothing');
  await table.getByRole('button', { name: 'Enable gemini' }).click();
  await table.getByRole('button', { name: 'Disable gemini' }).waitFor();
  assert.equal(await callAs(BOB, 'gemini-2.5-flash'), 200);

  // A new key typed into the form goes upstream and never comes back.
  await table.getByRole('button', { name: 'Edit anthropic' }).click();
  const form = admin.locator('form[aria-label="Edit provider anthropic"]');
  assert.equal(await form.locator('input[name="apikey"]').inputValue(), '', 'the stored key is not in the form');
  await form.locator('input[name="apikey"]').fill('sk-ant-typed-in-the-browser');
  await shot(admin, '16-provider-edit');
  await form.getByRole('button', { name: 'Save provider' }).click();
  await waitText(admin.locator('[data-testid="save-message"]'), /Saved provider anthropic/);
  assert.equal(await callAs(ROOT, 'claude-haiku-4-5'), 200);
  assert.equal(h.fake.requests.at(-1)!.headers['x-api-key'], 'sk-ant-typed-in-the-browser');

  // A new provider.
  await admin.getByRole('button', { name: 'Add provider' }).click();
  const add = admin.locator('form[aria-label="New provider"]');
  await add.locator('input[name="id"]').fill('local');
  await add.locator('input[name="baseurl"]').fill(h.fake.url);
  await add.locator('textarea[name="models"]').fill('qwen3-coder-30b');
  await add.locator('input[name="apikey"]').fill('sk-local-provider-secret');
  await add.getByRole('button', { name: 'Add provider' }).click();
  await waitText(admin.locator('[data-testid="save-message"]'), /Added provider local/);
  await table.locator('tbody tr', { hasText: 'local' }).waitFor();
  assert.equal(await callAs(ROOT, 'qwen3-coder-30b'), 200);
  assert.equal(h.fake.requests.at(-1)!.headers.authorization, 'Bearer sk-local-provider-secret');
});

test('config: edit with validation, history with diff, restore', async () => {
  await admin.goto(ui('/config'));
  const editor = admin.locator('[data-testid="config-text"]');
  await waitValue(editor, /UI test config/);
  const text = await editor.inputValue();
  assert.ok(!Object.values(keys).some((key) => text.includes(key)), 'no key in the editor');
  assert.ok(text.includes('"(stored secret)"'));
  await editor.fill(text.replace('"data_dir"', '"dta_dir": 1,\n  "data_dir"'));
  await admin.getByRole('button', { name: 'Validate' }).click();
  await waitText(admin.locator('[data-testid="save-message"]'), /unknown config key "dta_dir"/);
  await admin.getByRole('button', { name: 'Save' }).click();
  await waitText(admin.locator('[data-testid="save-message"]'), /not saved/);
  const history = admin.locator('[data-testid="config-history"] > li');
  await history.first().waitFor();
  const entries = await history.count();
  await editor.fill(text.replace('// UI test config', '// UI test config\n// edited in the browser'));
  await admin.getByRole('button', { name: 'Save' }).click();
  await waitText(admin.locator('[data-testid="save-message"]'), /Saved/);
  for (let i = 0; (await history.count()) !== entries + 1; i++) {
    if (i > 200) throw new Error('the history did not show the new save');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const open = (index: number) => history.nth(index).locator('details').evaluate((details: { open: boolean }) => void (details.open = true));
  await waitText(history.first().locator('summary'), /Saved by root@example\.com/);
  await open(0);
  await waitText(history.first().locator('.diff-line.op-add'), /edited in the browser/);
  await shot(admin, '17-config');
  // Restore the version before this edit.
  admin.once('dialog', (dialog) => void dialog.accept());
  await open(1);
  await history.nth(1).getByRole('button', { name: 'Restore this version' }).click();
  await waitText(admin.locator('[data-testid="save-message"]'), /Restored/);
  await waitText(history.first().locator('summary'), /Restored by root@example\.com/);
  assert.ok(!(await editor.inputValue()).includes('edited in the browser'));
  assert.ok(!(await readFile(h.configPath, 'utf8')).includes('edited in the browser'));
  await shot(admin, '18-config-restored');
});

test('a user sees only their own data, no admin links, and admin pages and APIs are refused', async () => {
  const alice = await (await h.as(ALICE)).newPage();
  await alice.goto(ui('/'));
  await waitText(card(alice, 'card-requests'), String(h.seeded.byUser[ALICE]));
  const nav = (await alice.locator('nav[aria-label="Main"]').textContent()) ?? '';
  for (const name of ['Users', 'Access', 'Providers', 'Config']) assert.ok(!nav.includes(name), `${name} is linked for a user`);
  assert.equal(await alice.locator('select[name="user"]').count(), 0, 'no user filter for a user');
  assert.equal(await alice.locator('[data-testid="chart-user"]').count(), 0);
  await shot(alice, '19-overview-user');
  for (const path of ['/access', '/providers', '/config', '/users']) {
    await alice.goto(ui(path));
    await waitText(alice.locator('h1'), 'Admins only');
  }
  await shot(alice, '20-user-admin-page-refused');
  await alice.goto(ui(`/users/${encodeURIComponent(BOB)}`));
  await waitText(alice.locator('h1'), 'Not yours');
  await alice.goto(ui('/sessions'));
  const sessions = alice.locator('[data-testid="sessions-table"] tbody tr');
  await sessions.first().waitFor();
  assert.ok(!((await alice.locator('main').textContent()) ?? '').includes('bob-session'));
  await alice.goto(ui(`/calls/${h.seeded.bobCallId}`));
  await waitText(alice.locator('.notice.error'), 'no such call');

  // The API, from the user's browser.
  const api = (path: string, init: { method?: string; body?: string } = {}) =>
    alice.evaluate(
      async ([p, i]) => {
        const response = await fetch(p, { method: i.method ?? 'GET', headers: { 'content-type': 'application/json' }, body: i.body });
        return { status: response.status, text: await response.text() };
      },
      [path, init] as const,
    );
  for (const path of ['/api/config', '/api/config/history', '/api/providers']) assert.equal((await api(path)).status, 403, path);
  assert.equal((await api('/api/config', { method: 'PUT', body: JSON.stringify({ text: '{}', version: 'x' }) })).status, 403);
  assert.equal((await api('/api/access/check', { method: 'POST', body: JSON.stringify({ who: BOB }) })).status, 403);
  assert.equal((await api(`/api/calls/${h.seeded.bobCallId}`)).status, 404);
  const pinned = JSON.parse((await api(`/api/usage?group_by=user&user=${encodeURIComponent(BOB)}`)).text) as { rows: { key: string }[] };
  assert.deepEqual(pinned.rows.map((row) => row.key), [ALICE], 'asking for bob gives alice her own');
  const series = JSON.parse((await api(`/api/usage/series?stack=user&user=${encodeURIComponent(BOB)}`)).text) as { series: { key: string }[] };
  assert.deepEqual(series.series.map((s) => s.key), [ALICE]);
  const tools = JSON.parse((await api('/api/tool-use')).text) as { by_user: { key: string }[] };
  assert.deepEqual(tools.by_user.map((row) => row.key), [ALICE]);
  const models = JSON.parse((await api('/api/models')).text) as { models: { provider: string }[] };
  assert.ok(models.models.every((model) => model.provider === 'openai' || model.provider === 'anthropic' || model.provider === 'local'));
});

test('no provider key ever reached a browser: not in any page, not in any API response', async () => {
  const secrets = [...Object.values(keys), 'sk-ant-typed-in-the-browser', 'sk-local-provider-secret', 'caller-secret-token'];
  assert.ok(h.bodies.length > 50, `saw ${h.bodies.length} responses`);
  assert.ok(h.bodies.some((body) => body.url.includes('/api/config')));
  for (const body of h.bodies) for (const secret of secrets) assert.ok(!body.text.includes(secret), `${secret} appeared in ${body.url}`);
  // And not in any rendered page either.
  for (const path of ['/', '/providers', '/config', '/access', `/calls/${h.seeded.streamCallId}`]) {
    await admin.goto(ui(path));
    await admin.waitForLoadState('networkidle');
    const html = await admin.content();
    for (const secret of secrets) assert.ok(!html.includes(secret), `${secret} is on ${path}`);
  }
});
