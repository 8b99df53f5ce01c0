import { createSseFramer } from '../metering/sse-framer.ts';
import { unpackCapture as inflate } from '../recording/capture-codec.ts';
import type { CallDetail } from '../store/store.ts';

/** A stored stream, split into its SSE events so a reader sees what the client saw, event by event. */
function sseEvents(text: string): { event?: string; data?: string }[] {
  const events: { event?: string; data?: string }[] = [];
  const framer = createSseFramer(({ event, data }) => {
    if (data !== undefined || event !== undefined) events.push({ event, data });
  });
  framer.push(text);
  framer.end();
  return events;
}

/** `GET /api/calls/:id`: the record, and its captures decoded for reading (credentials were redacted before storage). */
export function describeCall(detail: CallDetail) {
  const { record, captures } = detail;
  if (!captures) return { ...record, captures: null };
  const headers = (Buffer.isBuffer(captures.headers) ? JSON.parse(inflate(captures.headers).toString('utf8')) : captures.headers) as {
    request?: Record<string, string>;
    response?: Record<string, string>;
  };
  const requestBody = inflate(captures.requestBody).toString('utf8');
  const responseBody = inflate(captures.responseBody).toString('utf8');
  const isStream = /text\/event-stream/.test(headers.response?.['content-type'] ?? '');
  return {
    ...record,
    captures: {
      truncated: captures.truncated,
      requestHeaders: headers.request ?? {},
      responseHeaders: headers.response ?? {},
      requestBody,
      responseBody,
      ...(isStream ? { responseEvents: sseEvents(responseBody) } : {}),
    },
  };
}
