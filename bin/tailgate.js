#!/usr/bin/env node
// The `tailgate` command. The sources are TypeScript run by Node's own type stripping, which
// needs Node 22.18 or later; say so plainly rather than failing on the first type annotation.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(`tailgate needs Node.js 22.18 or later (this is ${process.versions.node}); \`npm start\` uses the Node 24 the repository pins.`);
  process.exit(1);
}
// V8 settings for memory under load (bench/README.md):
// - V8 sizes the young generation to the machine: on a large box each of its two semi-spaces grows to
//   64 MB under load, over 128 MB of heap for objects that mostly live for one request. 8 MB measured
//   the same garbage-collection time in total, with shorter pauses and about 90 MB less memory; 4 MB
//   about 5 MB less again for the same CPU time per call (2 MB cost 5–16% more).
// - After each full collection V8 lets the old generation grow to up to 4× what survived before the
//   next one; at c=64 the gateway's threads then held about 100 MB of V8 heap for some 30 MB of live
//   objects. 1.5× held about 70 MB, for the same CPU time per call in interleaved A/B runs.
// - gc() for the store's thread, which collects at most once a second after it compressed captures: Node
//   frees a compression's native memory only then (journal-frame.ts); 20 s of streamed calls at c=16
//   peaked at 189–204 MB instead of 218–222 MB.
// - No allocation-site pretenuring. V8 moves an allocation site's objects straight to the old generation
//   once most of them survived a young collection; under requests the size of a coding agent's (whole
//   conversations, bench/agent-body.ts) some of a call's objects briefly did, and from then on every
//   call's went to the old generation, which then ran about 11 full collections a second, their
//   concurrent marking 700 µs of V8's helper threads a call (bench:threads agent c=4: such runs were 3
//   of 9 with pretenuring and 0 of 9 without; see bench/README.md).
// And two for glibc's malloc, which serves a block above its mmap threshold with a mapping of its own:
// - The threshold is pinned at 4 MB. glibc otherwise raises it to each such block freed; pinned at
//   32 KB (V8's zone segment, the unit of its optimizing compiler), every compile, socket buffer and
//   journal read was mapped and unmapped, and each munmap flushes the TLB, which this VM makes dear:
//   V8's worker threads spent 0.6-1.2 times as much time in the kernel as in V8 (8 s runs at c=64).
//   Interleaved runs at c=64 took 15-18% less CPU per call with 4 MB (scratch A/B of per-thread CPU,
//   B/A 0.82-0.85; A/A 1.09).
// - One arena (MALLOC_ARENA_MAX=1) instead of one per thread that mallocs: a thread's arena keeps
//   what it once held (the compiler threads' 10-17 MB for under 1 MB in use), a shared one reuses it.
//   The threads share one core under load, so they seldom wait for its lock.
// All are taken only at start, so `tailgate serve` starts Node again with them (the short commands do
// not bother): execve keeps the process id and makes no second process. A setting given in
// NODE_OPTIONS, on the command line or in the environment wins.
const heapFlags = ['--max-semi-space-size=4', '--heap-growing-percent=50', '--expose-gc', '--no-allocation-site-pretenuring'];
const nodeOptions = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
const missing = heapFlags.filter((flag) => !nodeOptions.includes(flag.split('=')[0]));
const serving = typeof process.execve === 'function' && process.argv.slice(2).includes('serve');
/** Starts this same command again in this process, with `flags` before the ones it has. */
const restart = (flags, env) => process.execve(process.execPath, [process.execPath, ...flags, ...process.execArgv, ...process.argv.slice(1)], env);
if (serving && missing.length > 0) restart(missing, { MALLOC_MMAP_THRESHOLD_: '4194304', MALLOC_ARENA_MAX: '1', ...process.env });

// Type stripping parses every .ts file with swc built to WebAssembly (amaro), about 20 MB in each thread
// that loads TypeScript. Node's compile cache keeps the stripped output too, so from the second start
// on no thread loads the parser at all. Setting the variable carries the cache into the worker threads;
// NODE_COMPILE_CACHE, when set, chooses the directory.
const { default: module } = await import('node:module');
const cache = module.enableCompileCache?.();
if (cache?.directory) process.env.NODE_COMPILE_CACHE ??= cache.directory;
const { main } = await import('../src/cli/main.ts');

// The parser stays in every thread that loaded it for the life of the process (some 20 MB for a
// gateway idling), and it loads only when the cache misses: the first start after an install, an
// upgrade or a change to the sources. Such a `serve` compiles the modules of its other threads too
// (the store's, and the price lookup's with nothing to look up), writes the cache and starts again,
// once, before it opens anything: what compiling touched goes with the old process image. After a
// change to a module only the store's thread loads, that thread starts itself again instead
// (background-thread.ts, whose check this is: it writes the main thread's part of the cache; each
// compile-only thread writes its own as it exits).
const { compiledTypeScript } = await import('../src/background-thread.ts');
if (serving && !process.env.TAILGATE_COMPILE_CACHE_FILLED && compiledTypeScript()) {
  const { Worker } = await import('node:worker_threads');
  const threads = [['../src/store/worker/host.ts', 'compile only'], ['../src/metering/price-worker.ts', []]];
  for (const [entry, workerData] of threads) {
    await new Promise((resolve) => new Worker(new URL(entry, import.meta.url), { workerData }).once('exit', resolve).once('error', resolve));
  }
  restart([], { ...process.env, TAILGATE_COMPILE_CACHE_FILLED: '1' });
}
const code = await main(process.argv.slice(2));
if (code !== 0) process.exitCode = code;
