// Fills Node's compile cache (see bin/tailgate.js) with the type-stripped source of every module a
// gateway loads, in this short-lived process, so that even the first `tailgate serve` after an install
// or an update has no thread that loads the TypeScript parser (about 20 MB each, for the process's life).
// Run by `npm start` before the gateway; harmless to run again.
import module from 'node:module';

module.enableCompileCache();
await import('../src/cli/main.ts');
// A store thread's entry module: it is compiled (and cached) before it runs, and running it outside a
// worker thread fails at once, which is expected here.
await import('../src/store/worker/host.ts').catch(() => {});
module.flushCompileCache();
