import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';

// What `tailgate serve` loads before it takes its first call stays in memory for the life of the
// process. These three weigh a lot and the gateway never runs them unless configured to: Node's
// bundled undici (pulled in by `import … from 'node:http'`, src/node-http.ts), undici's entry point
// (src/proxy/upstream-agent.ts) and jose (loaded by an OIDC identity source when there is one).
test('the serve command loads neither Node’s bundled undici, nor undici’s entry point, nor jose', () => {
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
  assert.deepEqual(loaded.filter((url) => url.endsWith('/node_modules/undici/index.js') || url.includes('/node_modules/jose/')), []);
});
