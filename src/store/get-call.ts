import { unpackCapture } from '../recording/capture-codec.ts';
import { CALL_COLUMNS, callFromRow, type CallRow } from './call-rows.ts';
import { attachToolCalls } from './list-calls.ts';
import type { Executor } from './sql/executor.ts';
import type { CallDetail } from './store.ts';

type CaptureRow = { headers: Uint8Array; request_body: Uint8Array; response_body: Uint8Array; truncated: number };

const asBuffer = (bytes: Uint8Array) => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

/**
 * One call with its captures. Headers are small, so they are decompressed and parsed here; the bodies
 * come back exactly as stored (zstd-compressed when large, see capture-codec.ts) — the caller decompresses only what it shows (a 10 MB
 * stream need not cross the worker boundary twice or be inflated to render a summary).
 */
export async function getCall(db: Executor, id: string): Promise<CallDetail | undefined> {
  const [row] = await db.query<CallRow>(`SELECT ${CALL_COLUMNS.join(', ')} FROM calls WHERE id = $1`, [id]);
  if (!row) return undefined;
  const record = callFromRow(row);
  await attachToolCalls(db, [record]);
  const [capture] = await db.query<CaptureRow>(`SELECT headers, request_body, response_body, truncated FROM captures WHERE call_id = $1`, [id]);
  if (!capture) return { record };
  return {
    record,
    captures: {
      headers: JSON.parse(unpackCapture(capture.headers).toString('utf8')) as unknown,
      requestBody: asBuffer(capture.request_body),
      responseBody: asBuffer(capture.response_body),
      truncated: Number(capture.truncated) === 1,
    },
  };
}
