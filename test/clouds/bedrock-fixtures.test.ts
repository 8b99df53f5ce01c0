// The committed event-stream fixtures are what make-bedrock-fixtures.ts generates, byte for byte,
// and every frame in them is a valid event-stream message.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeMessages } from '../fake-upstream/event-stream.ts';
import { BEDROCK_FIXTURE_DIR, makeBedrockFixtures } from '../fake-upstream/make-bedrock-fixtures.ts';

for (const [name, bytes] of Object.entries(makeBedrockFixtures())) {
  test(`src/dialects/bedrock/__fixtures__/${name} is current (regenerate with make-bedrock-fixtures.ts)`, () => {
    assert.ok(readFileSync(join(BEDROCK_FIXTURE_DIR, name)).equals(bytes));
    const messages = decodeMessages(bytes);
    assert.ok(messages.length > 0);
    for (const message of messages) assert.ok(message.type !== '', 'every message names its event or exception');
  });
}
