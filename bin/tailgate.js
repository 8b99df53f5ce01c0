#!/usr/bin/env node
// The `tailgate` command. The sources are TypeScript run by Node's own type stripping, which
// needs Node 22.18 or later; say so plainly rather than failing on the first type annotation.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(`tailgate needs Node.js 22.18 or later (this is ${process.versions.node}); \`npm start\` uses the Node 24 the repository pins.`);
  process.exit(1);
}
await import('../src/cli/main.ts');
