import { createRequire } from 'node:module';

/**
 * node:http through `require`. Node 24's ES-module facade of a builtin reads every export, and three
 * of node:http's (WebSocket, CloseEvent, MessageEvent) are getters that load Node's bundled copy of
 * undici: `import … from 'node:http'` costs 2.3 MB of live heap and some 13 MB of RSS for code the
 * gateway never runs. `require` reads only what is used. (Types still come from `import type`.)
 */
const http = createRequire(import.meta.url)('node:http') as typeof import('node:http');

export const { createServer, request } = http;
