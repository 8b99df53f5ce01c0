import type { CallRecord } from './call-record.ts';

/** The request and response as they crossed the gateway, kept by reference until the writer compresses them. */
export type CallCapture = {
  requestHeaders: readonly string[];
  requestBody: Buffer;
  /** Parsed request JSON (already parsed on the data plane; used for the session fingerprint). */
  requestJson?: Record<string, unknown>;
  responseHeaders: Record<string, string | string[]>;
  responseChunks: Buffer[];
  responseBytes: number;
  truncated: boolean;
};

/**
 * Where finished calls go. The returned promise settles once the call is durable (journaled), which
 * the data plane waits for before the client's last byte, so a crash never loses a completed call;
 * everything slower (compression, database) happens later, off the data plane.
 */
export interface Recorder {
  record(call: CallRecord, capture?: CallCapture): Promise<void>;
}
