import type { ServerResponse } from 'node:http';
import { toCsv } from './csv.ts';

export function sendJson(response: ServerResponse, status: number, body: unknown, requestId: string): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-request-id': requestId, 'cache-control': 'no-store' }).end(text);
}

export function sendCsv(response: ServerResponse, rows: readonly Record<string, unknown>[], name: string, requestId: string): void {
  const text = toCsv(rows);
  response
    .writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}.csv"`, 'content-length': Buffer.byteLength(text), 'x-request-id': requestId, 'cache-control': 'no-store' })
    .end(text);
}
