const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat('en');

export function fmtNumber(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '—';
  return Math.abs(value) >= 10_000 ? compact.format(value) : whole.format(Math.round(value * 100) / 100);
}

export function fmtExact(value: number | undefined): string {
  return value === undefined ? '—' : whole.format(value);
}

export function fmtCost(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '—';
  if (value === 0) return '$0.00';
  if (Math.abs(value) < 0.01) return `$${value.toFixed(4)}`;
  if (Math.abs(value) >= 100_000) return `$${compact.format(value)}`;
  return `$${value.toLocaleString('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

export function fmtPercent(value: number): string {
  if (!Number.isFinite(value)) return '—';
  return `${(value * 100).toFixed(value > 0 && value < 0.01 ? 2 : 1)}%`;
}

export function fmtTime(ms: number | undefined): string {
  if (ms === undefined) return '—';
  const date = new Date(ms);
  return `${date.toISOString().slice(0, 10)} ${date.toISOString().slice(11, 19)} UTC`;
}

export function fmtDuration(ms: number | undefined): string {
  if (ms === undefined || Number.isNaN(ms)) return '—';
  if (ms < 10) return `${Number(ms.toFixed(2))} ms`; // the gateway's overhead is usually a fraction of one
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

const agentNames: Record<string, string> = {
  'claude-code': 'Claude Code',
  codex: 'Codex',
  'gemini-cli': 'Gemini CLI',
  opencode: 'OpenCode',
  cline: 'Cline',
  'openai-sdk': 'OpenAI SDK',
  'anthropic-sdk': 'Anthropic SDK',
  'google-genai-sdk': 'Google GenAI SDK',
  'vercel-ai-sdk': 'Vercel AI SDK',
  script: 'Script',
  unknown: 'unknown',
  curl: 'curl',
  other: 'Other',
};

export function agentLabel(agent: string | undefined): string {
  if (!agent) return 'unknown';
  return agentNames[agent] ?? agent;
}

export function totalTokens(row: { inputTokens?: number; outputTokens?: number }): number {
  return (row.inputTokens ?? 0) + (row.outputTokens ?? 0);
}

export function plural(count: number, noun: string): string {
  return `${fmtNumber(count)} ${noun}${count === 1 ? '' : 's'}`;
}
