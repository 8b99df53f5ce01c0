/** Header values that are credentials; their names stay in captures, their values never do. */
const secret = new Set(['authorization', 'proxy-authorization', 'x-api-key', 'x-goog-api-key', 'api-key', 'cookie', 'set-cookie']);

export const redacted = '[redacted]';

/** Raw `[name, value, name, value…]` pairs (as node:http keeps them) into a map with credentials redacted. */
export function redactRawHeaders(raw: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    const value = secret.has(name) ? redacted : raw[i + 1];
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return headers;
}

export function redactHeaders(headers: Record<string, string | string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = secret.has(name) ? redacted : Array.isArray(value) ? value.join(', ') : value;
  return out;
}
