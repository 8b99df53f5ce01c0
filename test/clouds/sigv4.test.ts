// SigV4 as the gateway signs for Bedrock, checked against AWS's published test vector (through the
// independent verifier the fake Bedrock uses) and at a fixed clock.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSigV4 } from '../../src/providers/bedrock/signer.ts';
import { canonicalRequest, verifySigV4 } from './sigv4-verify.ts';

// aws-sig-v4-test-suite "get-vanilla" (https://docs.aws.amazon.com/IAM/latest/UserGuide/signing-elements.html test suite).
const example = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

test('the independent verifier accepts AWS\'s get-vanilla vector and nothing else', () => {
  const request = {
    method: 'GET',
    path: '/',
    headers: {
      host: 'example.amazonaws.com',
      'x-amz-date': '20150830T123600Z',
      authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    },
    body: Buffer.alloc(0),
  };
  const secrets = new Map([[example.accessKeyId, { secretAccessKey: example.secretAccessKey }]]);
  const now = Date.UTC(2015, 7, 30, 12, 36, 0);
  assert.deepEqual(verifySigV4(request, secrets, { service: 'service', region: 'us-east-1', now }), { ok: true, accessKeyId: 'AKIDEXAMPLE', signedHeaders: ['host', 'x-amz-date'], date: '20150830T123600Z' });
  const tampered = { ...request, headers: { ...request.headers, host: 'other.amazonaws.com' } };
  assert.equal(verifySigV4(tampered, secrets, { service: 'service', region: 'us-east-1', now }).ok, false);
  const late = verifySigV4(request, secrets, { service: 'service', region: 'us-east-1', now: now + 6 * 60_000 });
  assert.equal(late.ok === false && late.type, 'InvalidSignatureException');
});

test('the gateway signs a Bedrock request at a fixed clock exactly as the verifier recomputes it, model id double-encoded', async () => {
  const fixed = Date.UTC(2026, 10, 25, 9, 30, 0);
  const signer = createSigV4({ accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret', sessionToken: 'session-token' }, 'us-west-2', { now: () => fixed });
  const url = new URL('https://bedrock-runtime.us-west-2.amazonaws.com');
  const path = '/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke-with-response-stream';
  const body = Buffer.from('{"anthropic_version":"bedrock-2023-05-31","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}');
  const signed = await signer.sign(url, path, { 'content-type': 'application/json' }, body);
  assert.equal(signed['x-amz-date'], '20261125T093000Z');
  assert.equal(signed['x-amz-security-token'], 'session-token');
  const headers = { ...signed, 'content-type': 'application/json' } as Record<string, string>;
  const verdict = verifySigV4({ method: 'POST', path, headers, body }, new Map([['AKIDTEST', { secretAccessKey: 'test-secret', sessionToken: 'session-token' }]]), { service: 'bedrock', region: 'us-west-2', now: fixed });
  assert.ok(verdict.ok, JSON.stringify(verdict));
  assert.deepEqual(verdict.signedHeaders, ['content-type', 'host', 'x-amz-content-sha256', 'x-amz-date', 'x-amz-security-token']);
  // The canonical URI encodes the already-encoded `%3A` once more (non-S3 services).
  assert.match(canonicalRequest({ method: 'POST', path, headers, body }, verdict.signedHeaders, 'x').split('\n')[1], /v1%253A0\/invoke-with-response-stream$/);
  // One byte of body changed is a different signature.
  const wrong = verifySigV4({ method: 'POST', path, headers: { ...headers, 'x-amz-content-sha256': undefined } as never, body: Buffer.concat([body, Buffer.from(' ')]) }, new Map([['AKIDTEST', { secretAccessKey: 'test-secret', sessionToken: 'session-token' }]]), { service: 'bedrock', region: 'us-west-2', now: fixed });
  assert.equal(wrong.ok, false);
});

test('a learned clock offset moves the signing date', async () => {
  const fixed = Date.UTC(2026, 10, 25, 9, 30, 0);
  const signer = createSigV4({ accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' }, 'us-east-1', { now: () => fixed });
  signer.clockOffsetMs = 10 * 60_000;
  const signed = await signer.sign(new URL('http://127.0.0.1:9'), '/model/m/invoke', { 'content-type': 'application/json' }, Buffer.from('{}'));
  assert.equal(signed['x-amz-date'], '20261125T094000Z');
});
