import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultConfigDocument, loadConfigObject, loadConfigText } from './load.ts';

const grants = '"grants": [{"src": ["*"], "app": {"tailscale.com/cap/aperture": [{"role": "admin"}, {"models": "**"}]}}]';
const messages = (text: string, env = {}) => loadConfigText(text, env).problems.map((problem) => `${problem.severity}: ${problem.message}`);

test('HuJSON comments and trailing commas load; ${ENV} is substituted inside values', () => {
  const { config, problems } = loadConfigText(
    `{ // a comment
      "providers": { "openai": { "baseurl": "https://api.openai.com/", "apikey": "\${KEY}", "models": ["gpt-4.1",], }, },
      ${grants},
    }`,
    { KEY: 'sk-secret' },
  );
  assert.deepEqual(problems, []);
  assert.equal(config?.providers[0].apikey, 'sk-secret');
  assert.deepEqual(config?.providers[0].compatibility.openai_chat, true, 'openai_chat is on without a compatibility block');
});

test('an unset variable is an error and the config does not load', () => {
  const { config, problems } = loadConfigText(`{"providers": {"a": {"baseurl": "http://x", "apikey": "\${MISSING_ONE}", "models": ["m"]}}, ${grants}}`, {});
  assert.equal(config, undefined);
  assert.deepEqual(problems, [{ severity: 'error', message: 'unsubstituted macros: [MISSING_ONE]' }]);
});

test('parse errors are errors with a position', () => {
  const [problem] = messages('{"providers": {');
  assert.match(problem, /^error: parse error at line 1, column \d+/);
});

test("Aperture's warnings: unknown and duplicate keys, bad provider fields, grants", () => {
  assert.deepEqual(
    messages(`{
      "providers": {
        "openai": { "basurl": "https://api.openai.com/", "models": ["gpt-4.1"] },
        "anthropic": { "baseurl": "https://api.anthropic.com", "apikey": "k", "authorization": "token", "models": ["claude-haiku-4-5"],
                       "add_headers": ["Bad-Entry"], "preference": "high", "compatibility": { "anthropic_messages": true } },
      },
      "grants": [{ "src": ["*"], "app": { "tailscale.com/cap/aperture": [{ "role": "user" }, { "models": "nobody/**" }] } }],
      "grants": [{ "src": ["*"], "app": { "tailscale.com/cap/aperture": [{ "role": "user" }, { "models": "nobody/**" }] } }],
    }`),
    [
      'warning: duplicate config key "grants"',
      'warning: unknown config key "providers.openai.basurl"',
      'warning: provider openai has no baseurl configured',
      'warning: provider anthropic has invalid authorization type: token',
      'warning: config key "providers.anthropic.preference" must be a number, got string',
      'warning: add_headers entry "Bad-Entry" must be in "Header-Name: value" format',
      'warning: no grant in grants or temp_grants assigns role:admin; nobody will be able to manage this instance',
      'warning: models pattern "nobody/**" references provider "nobody" which does not match any declared provider',
    ],
  );
  assert.deepEqual(messages('{}'), [
    'warning: no providers or mcp servers defined; users will not be able to access any models',
    'warning: no grant in grants or temp_grants assigns role:admin; nobody will be able to manage this instance',
  ]);
  assert.ok(messages('{"providers": {"a": {"baseurl": "http://x", "apikey": "k", "models": ["m"]}}}').includes(
    'warning: providers are configured but no grants or temp_grants defined; all access will be denied',
  ));
});

test('the default config serves providers from API-key variables and makes loopback admin', () => {
  const env = { ANTHROPIC_API_KEY: 'sk-ant-x', GEMINI_API_KEY: 'g-x' };
  const { config, problems } = loadConfigObject(defaultConfigDocument(env), env);
  assert.deepEqual(problems, []);
  assert.deepEqual(config?.providers.map((provider) => [provider.id, provider.apikey, provider.authorization]), [
    ['anthropic', 'sk-ant-x', 'x-api-key'],
    ['gemini', 'g-x', 'x-goog-api-key'],
  ]);
  assert.equal(config?.dataDir, './tailgate-data');
});
