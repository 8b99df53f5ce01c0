import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFilters } from './query-params.ts';

const admin = { login: 'root@example.com', admin: true };

test('outcome: one call outcome or "errors" (every outcome but ok) passes through; a typo is refused', () => {
  assert.equal(parseFilters(new URLSearchParams('outcome=upstream_error'), admin, 0).outcome, 'upstream_error');
  assert.equal(parseFilters(new URLSearchParams('outcome=errors'), admin, 0).outcome, 'errors');
  assert.equal(parseFilters(new URLSearchParams('outcome='), admin, 0).outcome, undefined);
  assert.throws(() => parseFilters(new URLSearchParams('outcome=failed'), admin, 0), { kind: 'invalid_request', message: /outcome must be one of ok, .*errors/ });
  assert.throws(() => parseFilters(new URLSearchParams('outcome=toString'), admin, 0), { kind: 'invalid_request' });
});
