/**
 * Which client made a call, from its user agent and a few telltale headers (providers.md §2.7).
 * Product rules come before SDK rules: Claude Code and Codex use the official SDKs, so their user
 * agents can match SDK patterns too.
 */
const rules: [RegExp, string][] = [
  [/^claude-(?:cli|code)\//i, 'claude-code'],
  [/^codex[-_ ]|^codex\/|^Codex Desktop\//i, 'codex'],
  [/^GeminiCLI[-/]/, 'gemini-cli'], // `GeminiCLI/…` and, in 0.61, `GeminiCLI-tui/…`
  [/\bopencode\//i, 'opencode'],
  [/^Cline\//i, 'cline'],
  [/\bai-sdk\//, 'vercel-ai-sdk'],
  [/^OpenAI\/(?:JS|Python)\b/, 'openai-sdk'],
  [/^Anthropic(?:Bedrock|Vertex)?\/(?:JS|Python)\b/, 'anthropic-sdk'],
  [/^google-genai-sdk\/|\bgoogle-genai-sdk\//, 'google-genai-sdk'],
  [/^curl\//, 'curl'],
  [/^(?:python-requests|python-httpx|undici|node-fetch|axios|node)\b/i, 'script'],
];

export function classifyAgent(userAgent: string | undefined, header: (name: string) => string | undefined): string {
  if (header('x-claude-code-session-id')) return 'claude-code';
  const originator = header('originator');
  if (originator?.startsWith('codex')) return 'codex';
  if (header('x-title') === 'Cline') return 'cline';
  if (header('x-opencode-session')) return 'opencode';
  if (userAgent) for (const [pattern, agent] of rules) if (pattern.test(userAgent)) return agent;
  const googleClient = header('x-goog-api-client');
  if (googleClient?.includes('google-genai-sdk/')) return 'google-genai-sdk';
  return userAgent ? 'other' : 'unknown';
}
