import type { UsageRow } from '../store/store.ts';

const groupings = new Set(['user', 'model', 'agent', 'provider', 'day', 'hour']);

function formatTokens(count: number): string {
  if (count >= 1e9) return `${(count / 1e9).toFixed(2)}B`;
  if (count >= 1e6) return `${(count / 1e6).toFixed(2)}M`;
  if (count >= 1e3) return `${(count / 1e3).toFixed(1)}k`;
  return String(count);
}

/** Rows as an aligned terminal table, numbers right-aligned, with a total line. */
export function usageTable(by: string, rows: UsageRow[]): string {
  const header = [by, 'requests', 'errors', 'input', 'output', 'cache read', 'cache write', 'cost'];
  const line = (row: Omit<UsageRow, 'key'> & { key: string }) => [
    row.key || '(none)',
    String(row.requests),
    String(row.errors),
    formatTokens(row.inputTokens),
    formatTokens(row.outputTokens),
    formatTokens(row.cacheReadTokens),
    formatTokens(row.cacheWriteTokens),
    `$${row.costUsd.toFixed(2)}${row.unpricedRequests > 0 ? '*' : ''}`,
  ];
  const sum = (pick: (row: UsageRow) => number) => rows.reduce((total, row) => total + pick(row), 0);
  const total = {
    key: 'total',
    requests: sum((row) => row.requests),
    errors: sum((row) => row.errors),
    inputTokens: sum((row) => row.inputTokens),
    outputTokens: sum((row) => row.outputTokens),
    cacheReadTokens: sum((row) => row.cacheReadTokens),
    cacheWriteTokens: sum((row) => row.cacheWriteTokens),
    reasoningTokens: sum((row) => row.reasoningTokens),
    costUsd: sum((row) => row.costUsd),
    unpricedRequests: sum((row) => row.unpricedRequests),
    latencyMsAvg: 0,
    latencyMsMax: 0,
  };
  const table = [header, ...rows.map(line), line(total)];
  const widths = header.map((_, column) => Math.max(...table.map((cells) => cells[column].length)));
  const render = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  const note = total.unpricedRequests > 0 ? `\n* ${total.unpricedRequests} request(s) with unknown cost are not in the dollar figure` : '';
  return [render(header), rule, ...table.slice(1, -1).map(render), rule, render(table.at(-1)!)].join('\n') + note;
}

/** `tailgate usage [--by user|model|agent|provider|day|hour] [--since 7d] [--url URL]` */
export async function usage(flags: Record<string, string | true>): Promise<number> {
  const by = typeof flags.by === 'string' ? flags.by : 'user';
  if (!groupings.has(by)) {
    console.error(`tailgate: --by must be one of ${[...groupings].join(', ')}`);
    return 2;
  }
  const since = typeof flags.since === 'string' ? flags.since : '7d';
  const base = typeof flags.url === 'string' ? flags.url : (process.env.TAILGATE_URL ?? 'http://127.0.0.1:8080');
  let response: Response;
  try {
    response = await fetch(new URL(`/api/usage?group_by=${by}&from=${encodeURIComponent(since)}`, base));
  } catch {
    console.error(`tailgate: cannot reach a gateway at ${base}`);
    return 1;
  }
  const body = (await response.json().catch(() => ({}))) as { rows?: UsageRow[]; error?: { message?: string } };
  if (!response.ok || !body.rows) {
    console.error(`tailgate: ${response.status} ${body.error?.message ?? response.statusText}`);
    return 1;
  }
  console.log(usageTable(by, body.rows));
  return 0;
}
