import { applyEdits, modify, parseTree } from 'jsonc-parser';

/**
 * Minimal edits to a request body: everything not edited stays byte for byte as the client sent
 * it (re-serialising would reorder nothing but could still change number spellings and escapes,
 * and prompt caches key on exact bytes).
 */
export function setProperty(text: string, path: (string | number)[], value: unknown): string {
  return applyEdits(text, modify(text, path, value, { formattingOptions: { insertSpaces: false, tabSize: 0, eol: '' } }));
}

/**
 * Asks an OpenAI chat stream for its usage chunk (providers.md §0 rule 4). When the body has no
 * `stream_options` at all — the usual case — the member is inserted right after the opening brace
 * without parsing the body a second time.
 */
export function requestStreamUsage(text: string, body: Record<string, unknown>): string {
  if (body.stream_options === undefined) {
    const brace = text.indexOf('{');
    return `${text.slice(0, brace + 1)}"stream_options":{"include_usage":true},${text.slice(brace + 1)}`;
  }
  return setProperty(text, ['stream_options', 'include_usage'], true);
}

/**
 * The body without the named top-level members. Every kept member is the client's own text; only
 * the separators between members are rewritten. (jsonc-parser's `modify` would re-indent the object.)
 */
export function removeProperties(text: string, keys: readonly string[]): string {
  const root = parseTree(text);
  const members = root?.type === 'object' ? (root.children ?? []) : [];
  const kept = members.filter((member) => !keys.includes(member.children?.[0]?.value as string));
  if (kept.length === members.length) return text;
  const first = members[0];
  const last = members[members.length - 1];
  const body = kept.map((member) => text.slice(member.offset, member.offset + member.length)).join(',');
  return `${text.slice(0, first.offset)}${body}${text.slice(last.offset + last.length)}`;
}
