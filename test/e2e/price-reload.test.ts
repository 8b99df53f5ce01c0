import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadConfigObject } from '../../src/config/load.ts';
import { findModelPrice } from '../../src/metering/price-table.ts';
import { costOf } from '../../src/metering/pricing.ts';
import { fixture } from '../fake-upstream/fake-upstream.ts';
import { adminGrant, post, providersFor, recorded, startHarness, type Harness } from './harness.ts';

// Prices are looked up at config load, in a thread of their own (src/metering/price-lookup.ts); a model
// that only a reloaded config names must be priced as soon as that config serves calls.
let h: Harness;
before(async () => (h = await startHarness()));
after(() => h.close());

function configWith(models: string[]) {
  const { config, problems } = loadConfigObject({ grants: [adminGrant], providers: { openai: { ...providersFor(h.fake.url).openai, models } } }, {});
  assert.ok(config, JSON.stringify(problems));
  return config;
}

test('a model added by a config reload is priced from its first call; reloads take effect in order', async () => {
  const added = 'gpt-4.1-mini';
  // Back to back: the first reload looks a new price up, the second needs none, and the second wins.
  const first = h.gateway.gateway.setConfig(configWith(['gpt-4.1', added]));
  const second = h.gateway.gateway.setConfig(configWith(['gpt-4.1']));
  await Promise.all([first, second]);
  const refused = await post(`${h.url}/v1/chat/completions`, { model: added, messages: [] });
  assert.equal(refused.status, 404, 'the later config, without the model, is the one in effect');

  await h.gateway.gateway.setConfig(configWith(['gpt-4.1', added]));
  const f = fixture('openai-chat', 'text.json');
  h.fake.reply(f.reply());
  const before = h.gateway.calls.length;
  const response = await post(`${h.url}/v1/chat/completions`, { model: added, messages: [] });
  assert.equal(response.status, 200);
  await response.arrayBuffer();
  const [call] = (await recorded(h.gateway, before + 1)).slice(before);
  const price = findModelPrice('openai', added);
  assert.ok(price, 'the price database knows the model');
  assert.ok(call.costUsd !== undefined && call.costUsd > 0, 'the call has a cost');
  assert.equal(call.costUsd, costOf(call.usage, { basis: 'openai', model: price.model, price: price.price, adjustment: 1 }));
});
