// OIDC bearer JWTs for machines outside the tailnet (CI runners, tsidp): verified with jose against the
// configured issuers' JWKS. Loopback comes after oidc in `sources` and grants (loopback) admin on
// everything — so every bad token that is *not* answered 401 would have got in: a token that fails
// must be refused, never passed on to the next source.
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { exportSPKI } from 'jose';
import { hmacToken, makeKey, signToken, startJwksServer, tamper, unsignedToken, type JwksServer, type SigningKey } from './jwks-server.ts';
import { assertDialectError, callIn, callModel, grant, send, startIdentityGateway, withRecord, type IdentityGateway } from './helpers.ts';

const GITHUB = 'https://token.actions.githubusercontent.com';
const TSIDP = 'https://idp.tail1234.ts.net';
const ROTATING = 'https://rotating.example.com';
const DOWN = 'https://down.example.com';
const AUDIENCE = 'tailgate';
const LOCAL = '127.0.0.1';

let github: JwksServer;
let tsidp: JwksServer;
let rotating: JwksServer;
let down: JwksServer;
let k1: SigningKey;
let k2: SigningKey;
let stranger: SigningKey;
let g: IdentityGateway;

const ci = { repository: 'acme/app', ref: 'refs/heads/main', sub: 'repo:acme/app:ref:refs/heads/main', groups: ['group:ci-bots'] };

before(async () => {
  [k1, k2, stranger] = await Promise.all([makeKey('k1'), makeKey('k2', 'ES256'), makeKey('k1')]);
  [github, tsidp, rotating, down] = await Promise.all([startJwksServer([k1]), startJwksServer([k2]), startJwksServer([k1]), startJwksServer([k1])]);
  g = await startIdentityGateway(() => ({
    identity: {
      sources: ['oidc', 'loopback'],
      oidc: {
        issuers: [
          { issuer: GITHUB, audience: AUDIENCE, jwks_url: github.url, login: 'repo:{repository}@{ref}', groups_claim: 'groups' },
          { issuer: TSIDP, audience: AUDIENCE, jwks_url: tsidp.url },
          { issuer: ROTATING, audience: AUDIENCE, jwks_url: rotating.url },
          { issuer: DOWN, audience: AUDIENCE, jwks_url: down.url },
        ],
      },
    },
    grants: [
      grant(['(loopback)'], { role: 'admin' }, { models: '**' }),
      grant(['repo:acme/app@refs/heads/main'], { role: 'user' }, { models: 'openai/gpt-4.1' }),
      grant(['group:ci-bots'], { models: 'anthropic/claude-haiku*' }),
      grant(['eve@example.com'], { role: 'user' }, { models: 'gemini/**' }),
      grant(['rotator'], { role: 'user' }, { models: '**' }),
    ],
  }));
});
after(async () => {
  await g?.close();
  await Promise.all([github, tsidp, rotating, down].map((server) => server?.close()));
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const githubToken = (overrides: Partial<Parameters<typeof signToken>[1]> = {}, key = k1) => signToken(key, { issuer: GITHUB, audience: AUDIENCE, claims: ci, ...overrides });

describe('valid tokens', () => {
  test('a GitHub Actions token maps to repo:{repository}@{ref}; the record carries it', async () => {
    const headers = bearer(await githubToken());
    const { reply, record } = await withRecord(g.gateway, () => callModel(g.port, LOCAL, 'gpt-4.1', { headers }));
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual([record.login, record.identitySource], ['repo:acme/app@refs/heads/main', 'oidc']);
    assert.equal(g.fake.requests.at(-1)!.headers.authorization, 'Bearer sk-openai-gateway-secret', 'the token never reaches the provider');
  });

  test('Anthropic-style clients may send the JWT as x-api-key; the groups claim matches group: grants', async () => {
    const token = await githubToken();
    const reply = await callModel(g.port, LOCAL, 'claude-haiku-4-5', { headers: { 'x-api-key': token } });
    assert.equal(reply.status, 200, reply.text);
    assert.equal(g.fake.requests.at(-1)!.headers['x-api-key'], 'sk-ant-gateway-secret');
  });

  test('a valid token is denied a model it is not granted (403), not handed to loopback', async () => {
    const headers = bearer(await githubToken());
    assertDialectError(await callModel(g.port, LOCAL, 'gpt-5', { headers }), 'openai', 403, /model "gpt-5" is not granted/);
    assertDialectError(await callModel(g.port, LOCAL, 'claude-sonnet-4-5', { headers }), 'anthropic', 403, /not granted/);
  });

  test('without a login template the login is the email claim (tsidp); no grant → no role', async () => {
    const eve = await signToken(k2, { issuer: TSIDP, audience: AUDIENCE, claims: { sub: 'u123', email: 'eve@example.com' } });
    const whoami = (await send(g.port, { from: LOCAL, path: '/api/whoami', headers: bearer(eve) })).json;
    assert.deepEqual([whoami.login, whoami.kind, whoami.source, whoami.role], ['eve@example.com', 'workload', 'oidc', 'user']);
    assert.equal((await callModel(g.port, LOCAL, 'gemini-2.5-pro', { headers: bearer(eve) })).status, 200);
    const mallory = await signToken(k2, { issuer: TSIDP, audience: [AUDIENCE, 'other'], claims: { sub: 'u999' } });
    assertDialectError(await callModel(g.port, LOCAL, 'gemini-2.5-pro', { headers: bearer(mallory) }), 'gemini', 403, /no role granted/);
  });

  test('a placeholder key that is not a JWT is not the OIDC source\'s business: the next source decides', async () => {
    for (const headers of [bearer('-'), { 'x-api-key': 'tailgate' }, bearer('sk-placeholder')]) {
      const whoami = (await send(g.port, { from: LOCAL, path: '/api/whoami', headers })).json;
      assert.equal(whoami.login, '(loopback)');
    }
  });
});

describe('every bad token is 401 and never passed to the next source', () => {
  const expectRefused = async (token: string, message: RegExp) => {
    for (const [dialect, model, headers] of [
      ['openai', 'gpt-4.1', bearer(token)],
      ['anthropic', 'claude-haiku-4-5', { 'x-api-key': token }],
      ['gemini', 'gemini-2.5-flash', bearer(token)],
    ] as const) {
      const upstream = g.fake.requests.length;
      const { reply, record } = await withRecord(g.gateway, () => send(g.port, { from: LOCAL, ...callIn(dialect, model), headers }));
      assertDialectError(reply, dialect, 401, message);
      assert.deepEqual([record.outcome, record.status, record.login], ['denied', 401, undefined]);
      assert.equal(g.fake.requests.length, upstream);
    }
  };

  test('wrong signature (another key with the same kid), and a tampered payload', async () => {
    await expectRefused(await githubToken({}, stranger), /invalid token: ERR_JWS_SIGNATURE_VERIFICATION_FAILED/);
    await expectRefused(tamper(await githubToken(), { ...ci, repository: 'acme/other', iss: GITHUB, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 300 }), /SIGNATURE_VERIFICATION_FAILED/);
  });

  test('expired, and not yet valid', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRefused(await githubToken({ expiresAt: now - 60 }), /invalid token: ERR_JWT_EXPIRED/);
    await expectRefused(await githubToken({ notBefore: now + 600 }), /invalid token: ERR_JWT_CLAIM_VALIDATION_FAILED/);
  });

  test('wrong audience', async () => {
    await expectRefused(await githubToken({ audience: 'some-other-service' }), /invalid token: ERR_JWT_CLAIM_VALIDATION_FAILED/);
  });

  test('unknown issuer (even signed with a key the gateway knows)', async () => {
    await expectRefused(await githubToken({ issuer: 'https://evil.example.com' }), /invalid token: unknown issuer/);
  });

  test('alg: none', async () => {
    await expectRefused(unsignedToken({ ...ci, iss: GITHUB, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 300 }), /invalid token: ERR_JOSE_ALG_NOT_ALLOWED/);
  });

  test('HS256, including one keyed with the issuer\'s public key (algorithm confusion)', async () => {
    const payload = { ...ci, iss: GITHUB, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 300 };
    await expectRefused(await hmacToken(new TextEncoder().encode('a-shared-secret-of-32-bytes-long!'), payload, 'k1'), /ERR_JOSE_ALG_NOT_ALLOWED/);
    const spki = await exportSPKI(createPublicKey({ key: k1.publicJwk as never, format: 'jwk' }) as never);
    await expectRefused(await hmacToken(new TextEncoder().encode(spki), payload, 'k1'), /ERR_JOSE_ALG_NOT_ALLOWED/);
  });

  test('a malformed JWT, and a valid one that lacks a claim the login template needs', async () => {
    await expectRefused('aaaa.bbbb.cccc', /invalid token: malformed JWT/);
    const { ref: _ref, ...withoutRef } = ci;
    await expectRefused(await githubToken({ claims: withoutRef }), /a claim the login needs is missing/);
  });
});

describe('the JWKS', () => {
  test('is fetched once and cached', async () => {
    const before = github.fetches;
    for (let i = 0; i < 3; i++) assert.equal((await callModel(g.port, LOCAL, 'gpt-4.1', { headers: bearer(await githubToken()) })).status, 200);
    assert.ok(github.fetches - before <= 1, `${github.fetches - before} fetches`);
  });

  test('an unknown key id makes the gateway refetch (once per 30 s cooldown: random kids cannot hammer the issuer)', async (t) => {
    const first = await signToken(k1, { issuer: ROTATING, audience: AUDIENCE, claims: { sub: 'rotator' } });
    assert.equal((await callModel(g.port, LOCAL, 'gpt-4.1', { headers: bearer(first) })).status, 200);
    assert.equal(rotating.fetches, 1);

    // The issuer rotates: k1 out, k2 in. Right after a fetch (inside jose's 30 s cooldown) an unknown kid
    // is refused without a refetch, so a flood of random kids costs the issuer nothing.
    rotating.setKeys([k2]);
    const rotated = await signToken(k2, { issuer: ROTATING, audience: AUDIENCE, claims: { sub: 'rotator' } });
    for (const kid of ['random-1', 'random-2', 'random-3']) {
      const reply = await callModel(g.port, LOCAL, 'gpt-4.1', { headers: bearer(await signToken(k2, { issuer: ROTATING, audience: AUDIENCE, claims: { sub: 'rotator' }, kid })) });
      assertDialectError(reply, 'openai', 401, /ERR_JWKS_NO_MATCHING_KEY/);
    }
    assert.equal(rotating.fetches, 1, 'no refetch inside the cooldown');

    // 31 s later (jose reads Date.now) the unknown kid triggers one refetch, and the new key verifies.
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() + 31_000 });
    try {
      const reply = await callModel(g.port, LOCAL, 'gpt-4.1', { headers: bearer(rotated) });
      assert.equal(reply.status, 200, reply.text);
      assert.equal(rotating.fetches, 2, 'refetched on the unknown kid');
      assert.equal((await callModel(g.port, LOCAL, 'gpt-4.1', { headers: bearer(rotated) })).status, 200);
      assert.equal(rotating.fetches, 2, 'and cached again');
      assertDialectError(await callModel(g.port, LOCAL, 'gpt-4.1', { headers: bearer(first) }), 'openai', 401, /ERR_JWKS_NO_MATCHING_KEY/);
      assert.equal(rotating.fetches, 2, 'the retired key does not cause another fetch');
    } finally {
      t.mock.timers.reset();
    }
  });

  test('an issuer whose JWKS cannot be reached → 503 (fail closed), not 401 and not a pass', async () => {
    await down.close();
    const token = await signToken(k1, { issuer: DOWN, audience: AUDIENCE, claims: { sub: 'x' } });
    assertDialectError(await callModel(g.port, LOCAL, 'claude-haiku-4-5', { headers: { 'x-api-key': token } }), 'anthropic', 503, /identity service unavailable/);
  });

  test(
    'an issuer whose JWKS answers 502 → 503 (the token may be fine; the issuer is down)',

    async () => {
      const broken = await startJwksServer([k1]);
      broken.failWith(502);
      const gateway = await startIdentityGateway(() => ({
        identity: { sources: ['oidc'], oidc: { issuers: [{ issuer: TSIDP, audience: AUDIENCE, jwks_url: broken.url }] } },
        grants: [grant(['*'], { role: 'admin' }, { models: '**' })],
      }));
      try {
        const token = await signToken(k1, { issuer: TSIDP, audience: AUDIENCE, claims: { sub: 'x' } });
        const reply = await callModel(gateway.port, LOCAL, 'gpt-4.1', { headers: bearer(token) });
        assert.equal(broken.fetches, 1);
        assertDialectError(reply, 'openai', 503, /identity service unavailable/);
      } finally {
        await gateway.close();
        await broken.close();
      }
    },
  );
});
