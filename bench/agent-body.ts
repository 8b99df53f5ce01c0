// A request shaped like a coding agent's (Claude Code): a long system prompt, 40 tools with JSON
// schemas, and a 40-turn conversation of tool calls and results, about 120 KB. Agents resend the whole
// conversation every turn, so this, not the bench's one-line prompt, is what a gateway parses, captures
// and journals for them. The words are fixed, so every run sends the same bytes.
const vocabulary = ['file', 'function', 'the', 'const', 'return', 'import', 'value', 'error', 'test', 'config'];
const words = (count: number, seed: number) => Array.from({ length: count }, (_, i) => vocabulary[(i * 7 + seed) % vocabulary.length]).join(' ');

export function agentBody(): string {
  const tools = Array.from({ length: 40 }, (_, i) => ({
    name: `Tool${i}`,
    description: words(120, i),
    input_schema: {
      type: 'object',
      properties: { path: { type: 'string', description: words(20, i) }, content: { type: 'string', description: words(25, i + 1) }, flags: { type: 'array', items: { type: 'string' } } },
      required: ['path'],
    },
  }));
  const messages: unknown[] = [];
  for (let turn = 0; turn < 20; turn++) {
    messages.push({ role: 'user', content: turn === 0 ? words(300, turn) : [{ type: 'tool_result', tool_use_id: `toolu_${turn}`, content: words(250, turn) }] });
    messages.push({ role: 'assistant', content: [{ type: 'text', text: words(60, turn) }, { type: 'tool_use', id: `toolu_${turn + 1}`, name: 'Tool3', input: { path: `/src/file${turn}.ts`, content: words(80, turn) } }] });
  }
  messages.push({ role: 'user', content: 'Say hello in one short sentence.' });
  return JSON.stringify({
    model: 'claude-sonnet-4-5',
    max_tokens: 64,
    system: [{ type: 'text', text: 'You are Claude Code.' }, { type: 'text', text: words(3000, 1), cache_control: { type: 'ephemeral' } }],
    tools,
    messages,
    metadata: { user_id: 'user_abc_account_123_session_0f0e0d0c-1111-2222-3333-444455556666' },
  });
}
