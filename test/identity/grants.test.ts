// Grants folded into access, without a network: Aperture's src selectors, roles, model globs,
// temp_grants, CapMap entries and a configurable capability name (aperture.md §2.4–2.5).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAccessPolicy, mayUseModel } from '../../src/access/access.ts';
import { compileGrants, srcMatches } from '../../src/access/grants.ts';
import type { Identity } from '../../src/identity/identity.ts';
import { globMatch } from '../../src/routing/glob.ts';
import { cap, grant } from './helpers.ts';

const user = (login: string, extra: Partial<Identity> = {}): Identity => ({ login, kind: 'user', source: 'tailscale', tags: [], groups: [], capMap: {}, ...extra });
const tagged = (...tags: string[]): Identity => ({ login: [...tags].sort().join(','), kind: 'tagged', source: 'tailscale', tags: [...tags].sort(), groups: [], capMap: {} });
const loopback: Identity = { login: '(loopback)', kind: 'loopback', source: 'loopback', tags: [], groups: [], capMap: {} };

test('model globs: `*` is one segment, `**` any number of segments', () => {
  const cases: [string, string, boolean][] = [
    ['anthropic/**', 'anthropic/claude-sonnet-4-5', true],
    ['anthropic/**', 'anthropic/us/claude-sonnet-4-5', true],
    ['anthropic/**', 'openai/gpt-4.1', false],
    ['anthropic/**', 'anthropic-eu/claude', false],
    ['*/claude-haiku*', 'anthropic/claude-haiku-4-5', true],
    ['*/claude-haiku*', 'bedrock/claude-haiku-4-5', true],
    ['*/claude-haiku*', 'anthropic/claude-sonnet-4-5', false],
    ['*/claude-haiku*', 'vertex/eu/claude-haiku-4-5', false],
    ['openai/gpt-4.1', 'openai/gpt-4.1', true],
    ['openai/gpt-4.1', 'openai/gpt-4.1-mini', false],
    ['openai/gpt-4.1', 'openai/gpt-4x1', false],
    ['**', 'gemini/gemini-2.5-pro', true],
    ['aperture-*/**', 'aperture-eu/x/y', true],
  ];
  for (const [pattern, name, expected] of cases) assert.equal(globMatch(pattern, name), expected, `${pattern} ~ ${name}`);
});

test('src selectors: `*` (not loopback), login (case-insensitive), tag:, group: from config or identity, (loopback)', () => {
  const groupsOf = (login: string) => (login === 'bob@example.com' ? ['group:eng'] : []);
  assert.equal(srcMatches('*', user('a@x'), groupsOf), true);
  assert.equal(srcMatches('*', tagged('tag:ci'), groupsOf), true, 'Aperture: everyone, including tagged nodes');
  assert.equal(srcMatches('*', loopback, groupsOf), false);
  assert.equal(srcMatches('(loopback)', loopback, groupsOf), true);
  assert.equal(srcMatches('(loopback)', user('(loopback)', { kind: 'user' }), groupsOf), false, 'a user cannot be named "(loopback)" into the loopback grant');
  assert.equal(srcMatches('Alice@Example.com', user('alice@example.com'), groupsOf), true);
  assert.equal(srcMatches('tag:ci', tagged('tag:prod', 'tag:ci'), groupsOf), true);
  assert.equal(srcMatches('tag:dev', tagged('tag:prod', 'tag:ci'), groupsOf), false);
  assert.equal(srcMatches('tag:ci', user('tag:ci@example.com'), groupsOf), false);
  assert.equal(srcMatches('group:eng', user('bob@example.com'), groupsOf), true);
  assert.equal(srcMatches('group:eng', user('carol@example.com', { groups: ['group:eng'] }), groupsOf), true);
  assert.equal(srcMatches('group:eng', user('dave@example.com'), groupsOf), false);
});

test('roles: admin wins; no role means no access even with models; models add up across grants', () => {
  const policy = createAccessPolicy({
    grants: [grant(['*'], { role: 'user' }, { models: 'openai/**' }), grant(['alice@example.com'], { role: 'admin' }), grant(['group:eng'], { models: ['anthropic/**', 'gemini/gemini-2.5-pro'] })],
    tempGrants: [],
    groups: { 'group:eng': ['ALICE@example.com', 'nobody@example.com'] },
    capability: cap,
  });
  const alice = policy.accessFor(user('alice@example.com'));
  assert.equal(alice.role, 'admin');
  assert.deepEqual(alice.models, ['openai/**', 'anthropic/**', 'gemini/gemini-2.5-pro']);
  assert.equal(mayUseModel(alice, 'anthropic', 'claude-haiku-4-5'), true);
  assert.equal(mayUseModel(alice, 'gemini', 'gemini-2.5-flash'), false, 'admin is a role, not a model grant');
  assert.equal(policy.accessFor(user('bob@example.com')).role, 'user');
  assert.equal(policy.accessFor(loopback).role, undefined);
  const floating = createAccessPolicy({ grants: [grant(['*'], { models: '**' })], tempGrants: [], groups: {}, capability: cap });
  assert.equal(floating.accessFor(user('x@y')).role, undefined, 'models without a role grant nothing');
});

test('whois CapMap entries add to config grants; other capabilities are passed on as custom', () => {
  const policy = createAccessPolicy({ grants: [grant(['erin@example.com'], { role: 'user', models: 'openai/gpt-5' })], tempGrants: [], groups: {}, capability: cap });
  const erin = policy.accessFor(user('erin@example.com', { capMap: { [cap]: [{ models: 'gemini/**' }, 'junk', ['x'], null], 'example.com/cap/x': [{ tier: 'gold' }] } }));
  assert.equal(erin.role, 'user');
  assert.deepEqual(erin.models, ['openai/gpt-5', 'gemini/**']);
  assert.deepEqual(erin.custom, { 'example.com/cap/x': [{ tier: 'gold' }] });
  const carol = policy.accessFor(user('carol@example.com', { capMap: { [cap]: [{ role: 'user' }, { models: 'gemini/**' }] } }));
  assert.deepEqual([carol.role, carol.models], ['user', ['gemini/**']]);
});

test('the capability name is configurable; then Aperture\'s name is just a custom capability', () => {
  const mine = 'example.com/cap/llm-gateway';
  const policy = createAccessPolicy({
    grants: [{ src: ['*'], app: { [mine]: [{ role: 'user' }, { models: 'openai/**' }], [cap]: [{ role: 'admin' }] } }],
    tempGrants: [],
    groups: {},
    capability: mine,
  });
  const access = policy.accessFor(user('a@x', { capMap: { [mine]: [{ models: 'gemini/**' }], [cap]: [{ role: 'admin' }] } }));
  assert.equal(access.role, 'user');
  assert.deepEqual(access.models, ['openai/**', 'gemini/**']);
  assert.deepEqual(Object.keys(access.custom), [cap]);
});

test('temp_grants (deprecated) still work: providers [{provider, model}] become provider/model globs', () => {
  const compiled = compileGrants([], [{ src: ['dev@example.com'], grants: [{ role: 'admin' }, { providers: [{ provider: 'anthropic', model: '*' }, { provider: 'openai', model: 'gpt-4.1' }] }] }]);
  assert.deepEqual(compiled, [{ src: ['dev@example.com'], entries: [{ role: 'admin' }, { models: ['anthropic/*', 'openai/gpt-4.1'] }], custom: {} }]);
  const policy = createAccessPolicy({ grants: [], tempGrants: [{ src: ['dev@example.com'], grants: [{ role: 'user' }, { providers: [{ provider: 'anthropic' }] }] }], groups: {}, capability: cap });
  const dev = policy.accessFor(user('dev@example.com'));
  assert.equal(dev.role, 'user');
  assert.equal(mayUseModel(dev, 'anthropic', 'claude-haiku-4-5'), true);
  assert.equal(mayUseModel(dev, 'openai', 'gpt-4.1'), false);
});

test('add_headers and read_metrics are folded from matching grants', () => {
  const policy = createAccessPolicy({ grants: [grant(['*'], { role: 'user', add_headers: ['X-Project: tailgate', 'bad header'], read_metrics: true })], tempGrants: [], groups: {}, capability: cap });
  const access = policy.accessFor(user('a@x'));
  assert.deepEqual(access.addHeaders, [['x-project', 'tailgate']]);
  assert.equal(access.readMetrics, true);
});
