import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';

// What `tailgate serve` loads in its main thread stays in memory for the life of the process. These
// weigh a lot, and the gateway either never runs them unless configured to or runs them once: Node's
// bundled undici (pulled in by `import … from 'node:http'`, src/node-http.ts), undici's entry point
// (src/proxy/upstream-agent.ts), jose (loaded by an OIDC identity source when there is one) and the
// price database (looked up in a passing thread, src/metering/price-lookup.ts).
test('the serve command loads none of Node’s bundled undici, undici’s entry point, jose or the price database', () => {
  const probe = `
    import { registerHooks } from 'node:module';
    const loaded = [];
    registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
    await import(${JSON.stringify(new URL('./main.ts', import.meta.url).href)});
    console.log(JSON.stringify({ bundledUndici: process.moduleLoadList.includes('NativeModule internal/deps/undici/undici'), loaded }));
  `;
  const { bundledUndici, loaded } = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', probe], { encoding: 'utf8' })) as { bundledUndici: boolean; loaded: string[] };
  assert.ok(loaded.some((url) => url.endsWith('/src/server.ts')), 'the probe loaded the gateway');
  assert.ok(loaded.some((url) => url.includes('/node_modules/undici/lib/dispatcher/agent.js')), 'the upstream agent is there');
  assert.equal(bundledUndici, false, 'Node’s bundled undici was loaded');
  assert.deepEqual(loaded.filter((url) => url.endsWith('/node_modules/undici/index.js') || /\/node_modules\/(jose|@pydantic\/genai-prices)\//.test(url)), []);
});
