#!/usr/bin/env node
// The `tailgate` command. The sources are TypeScript run by Node's own type stripping, which
// needs Node 22.18 or later; say so plainly rather than failing on the first type annotation.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(`tailgate needs Node.js 22.18 or later (this is ${process.versions.node}); \`npm start\` uses the Node 24 the repository pins.`);
  process.exit(1);
}
// Type stripping parses every .ts file with swc built to WebAssembly (amaro), about 20 MB in each thread
// that loads TypeScript. Node's compile cache keeps the stripped output too, so from the second start
// on no thread loads the parser at all. Setting the variable carries the cache into the worker threads;
// NODE_COMPILE_CACHE, when set, chooses the directory.
const { default: module } = await import('node:module');
const cache = module.enableCompileCache?.();
if (cache?.directory) process.env.NODE_COMPILE_CACHE ??= cache.directory;
await import('../src/cli/main.ts');
