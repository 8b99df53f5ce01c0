import { createHash } from 'node:crypto';
import { applyEdits, findNodeAtLocation, getNodeValue, parseTree, visit, type Edit, type JSONPath } from 'jsonc-parser';

/**
 * The config as text, for the editor: secrets are swapped for a placeholder before the text leaves
 * the server, and swapped back from the stored text when an edit comes in. Working on the text (not a
 * re-serialised object) keeps the admin's comments and layout.
 */

/** What the browser sees instead of a secret; sending it back unchanged keeps the stored secret. */
export const SECRET_PLACEHOLDER = '(stored secret)';

// Keys whose string values are credentials wherever they appear (providers.*.apikey, hooks.*.apikey, exporters.s3.*).
const secretKeys = new Set(['apikey', 'api_key', 'access_secret', 'secret_access_key', 'session_token', 'keyfile', 'secret', 'client_secret', 'password', 'token']);
// `${NAME}` alone names an environment variable; the name is not a secret and helps the reader.
const envReference = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;

export function versionOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

type SecretLiteral = { path: JSONPath; offset: number; length: number; value: string };

function secretLiterals(text: string): SecretLiteral[] {
  const found: SecretLiteral[] = [];
  visit(
    text,
    {
      onLiteralValue(value, offset, length, _line, _column, pathSupplier) {
        const path = pathSupplier();
        const key = path.at(-1);
        if (typeof value === 'string' && typeof key === 'string' && secretKeys.has(key.toLowerCase())) found.push({ path: [...path], offset, length, value });
      },
    },
    { allowTrailingComma: true, disallowComments: false },
  );
  return found;
}

/** The text with every secret value replaced by the placeholder (environment references stay). */
export function redactSecrets(text: string): string {
  const edits: Edit[] = secretLiterals(text)
    .filter((literal) => literal.value !== '' && !envReference.test(literal.value))
    .map((literal) => ({ offset: literal.offset, length: literal.length, content: JSON.stringify(SECRET_PLACEHOLDER) }));
  return applyEdits(text, edits);
}

/**
 * `edited` with each placeholder put back to the secret at the same place in `stored`. A placeholder
 * with nothing behind it (a renamed or new provider) is an error: the admin must type the key.
 */
export function restoreSecrets(edited: string, stored: string): { text: string; errors: string[] } {
  const tree = parseTree(stored, [], { allowTrailingComma: true, disallowComments: false });
  const edits: Edit[] = [];
  const errors: string[] = [];
  for (const literal of secretLiterals(edited)) {
    if (literal.value !== SECRET_PLACEHOLDER) continue;
    const node = tree ? findNodeAtLocation(tree, literal.path) : undefined;
    const value: unknown = node ? getNodeValue(node) : undefined;
    if (typeof value !== 'string' || value === SECRET_PLACEHOLDER) {
      errors.push(`${literal.path.join('.')} is the placeholder ${JSON.stringify(SECRET_PLACEHOLDER)} but no secret is stored there; enter the key`);
      continue;
    }
    edits.push({ offset: literal.offset, length: literal.length, content: JSON.stringify(value) });
  }
  return { text: applyEdits(edited, edits), errors };
}

/** Aperture refuses to save an empty config (aperture.md §2.1): blank, comments only, or `{}`. */
export function isEmptyConfig(text: string): boolean {
  const tree = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  return tree === undefined || (tree.type === 'object' && (tree.children ?? []).length === 0);
}
