import type { ServerResponse } from 'node:http';
import type { WriterStats } from '../recording/writer.ts';
import type { CallMetrics } from './call-metrics.ts';

/**
 * `GET /metrics` in Prometheus' text format, for callers granted `read_metrics` (Aperture's
 * grant): the calls this process served (call-metrics.ts), and the recording pipeline's health: a
 * spool that keeps growing means the store is down or cannot keep up, which an alert should catch
 * before the spool fills.
 */
export function sendMetrics(response: ServerResponse, calls: CallMetrics, recording: WriterStats | undefined, requestId: string): void {
  const lines: string[] = [];
  calls.write(lines);
  const metric = (name: string, type: 'gauge' | 'counter', help: string, value: number) => lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`);
  metric('tailgate_recording_enabled', 'gauge', 'Whether calls are stored (0 with storage.url "none").', recording ? 1 : 0);
  if (recording) {
    metric('tailgate_recording_queued_calls', 'gauge', 'Calls journaled by this process and not yet in the store.', recording.queued);
    metric('tailgate_recording_spool_bytes', 'gauge', 'Journal bytes whose calls are not yet known to be in the store.', recording.spoolBytes);
    metric('tailgate_recording_store_failing', 'gauge', 'Whether the last write to the store failed.', recording.failing ? 1 : 0);
    metric('tailgate_recording_stored_calls_total', 'counter', 'Calls written to the store since start.', recording.stored);
    metric('tailgate_recording_dropped_calls_total', 'counter', 'Calls not recorded because the spool was full.', recording.dropped);
  }
  response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'x-request-id': requestId }).end(`${lines.join('\n')}\n`);
}
