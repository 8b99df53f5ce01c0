import { hash } from 'node:crypto';

type Json = Record<string, unknown>;

/** Claude Code's `metadata.user_id`: historically `user_<hash>_account_<uuid>_session_<uuid>`, newer builds a JSON string with `session_id`. */
function sessionFromUserId(userId: unknown): string | undefined {
  if (typeof userId !== 'string') return undefined;
  const marker = userId.indexOf('_session_');
  if (marker !== -1) return userId.slice(marker + '_session_'.length) || undefined;
  if (userId.startsWith('{')) {
    try {
      const parsed = JSON.parse(userId) as Json;
      return typeof parsed.session_id === 'string' ? parsed.session_id : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The opening of a conversation in any dialect: its system prompt and first message. */
function conversationStart(body: Json): unknown[] {
  const first = (value: unknown) => (Array.isArray(value) ? value[0] : typeof value === 'string' ? value : undefined);
  return [
    body.system ?? body.instructions ?? body.systemInstruction,
    first(body.messages) ?? first(body.input) ?? first(body.contents),
  ];
}

/**
 * The session a call belongs to: the client's own id when it sends one (Claude Code's header or
 * body metadata, Codex's `session_id`, `x-session-id`), else a fingerprint of who is talking and how
 * the conversation began — every turn of one conversation resends the same opening.
 */
export function sessionOf(header: (name: string) => string | undefined, body: Json | undefined, login: string | undefined): string | undefined {
  const explicit =
    header('x-claude-code-session-id') ??
    sessionFromUserId((body?.metadata as Json | undefined)?.user_id) ??
    header('session_id') ??
    header('session-id') ??
    header('x-session-id') ??
    (typeof body?.prompt_cache_key === 'string' ? body.prompt_cache_key : undefined);
  if (explicit) return explicit;
  if (!body) return undefined;
  const start = conversationStart(body);
  if (start.every((part) => part === undefined)) return undefined;
  return `fp_${hash('sha256', JSON.stringify([login ?? '', ...start])).slice(0, 24)}`;
}
