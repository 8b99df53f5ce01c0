import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isEmptyConfig, redactSecrets, restoreSecrets, SECRET_PLACEHOLDER } from './config-text.ts';
import { lineDiff } from './line-diff.ts';

const stored = `{
  // keys below
  "providers": {
    "a": { "baseurl": "https://a.example", "apikey": "sk-real-a" },
    "b": { "baseurl": "https://b.example", "apikey": "\${B_KEY}" },
  },
  "hooks": { "h": { "url": "https://h.example", "apikey": "hook-secret" } },
  "exporters": { "s3": { "access_secret": "s3-secret", "bucket_name": "x" } },
}`;

test('secrets are replaced by the placeholder; env references and layout stay', () => {
  const shown = redactSecrets(stored);
  for (const secret of ['sk-real-a', 'hook-secret', 's3-secret']) assert.ok(!shown.includes(secret), secret);
  assert.ok(shown.includes('"${B_KEY}"'), 'an environment reference is not a secret');
  assert.ok(shown.includes('// keys below') && shown.includes('},\n  },'), 'comments and trailing commas are kept');
  assert.equal(shown.split(SECRET_PLACEHOLDER).length - 1, 3);
});

test('placeholders are put back from the stored text, at the same place only', () => {
  const edited = redactSecrets(stored).replace('https://a.example', 'https://a2.example');
  const { text, errors } = restoreSecrets(edited, stored);
  assert.deepEqual(errors, []);
  assert.equal(text, stored.replace('https://a.example', 'https://a2.example'));
  const moved = restoreSecrets(redactSecrets(stored).replace('"a": {', '"c": {'), stored);
  assert.match(moved.errors[0], /^providers\.c\.apikey is the placeholder/);
});

test('empty configs', () => {
  for (const text of ['', ' \n', '// only a comment', '{}', '{ /* x */ }', '[]'.slice(0, 0)]) assert.equal(isEmptyConfig(text), true, JSON.stringify(text));
  assert.equal(isEmptyConfig('{"providers": {}}'), false);
});

test('line diff: added, removed and folded context', () => {
  const before = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n');
  const after = before.replace('line 10', 'line ten').concat('\nline 20');
  const diff = lineDiff(before, after, 1);
  assert.deepEqual(
    diff.map((line) => `${line.op}${line.text}`),
    ['@… 9 unchanged lines', ' line 9', '-line 10', '+line ten', ' line 11', '@… 7 unchanged lines', ' line 19', '+line 20'],
  );
  assert.deepEqual(lineDiff('same', 'same'), []);
});
