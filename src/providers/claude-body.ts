// Claude on a cloud (Bedrock InvokeModel, Vertex rawPredict) takes the Anthropic Messages body with
// a few changes; shared by providers/bedrock and providers/vertex.
import { removeProperties } from '../proxy/json-edit.ts';

/** The Anthropic Messages request headers that Bedrock and Vertex take in the body instead. */
export function headerValue(rawHeaders: readonly string[], name: string): string | undefined {
  const values: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i].toLowerCase() === name) values.push(rawHeaders[i + 1]);
  return values.length > 0 ? values.join(',') : undefined;
}

/**
 * A Messages body for Claude on a cloud: no `model` (it is in the path), the cloud's
 * `anthropic_version`, optionally no `stream` (Bedrock picks streaming by operation) and the
 * `anthropic-beta` header as body `anthropic_beta` (Bedrock). Minimal edits: the rest of the body
 * stays as the client sent it (proxy/json-edit.ts).
 */
export function cloudMessagesBody(
  text: string,
  json: Record<string, unknown>,
  options: { version: string; dropStream: boolean; betas?: string },
): Buffer {
  const drop = options.dropStream ? ['model', 'stream'] : ['model'];
  let out = drop.some((key) => key in json) ? removeProperties(text, drop) : text;
  const members: string[] = [];
  if (json.anthropic_version === undefined) members.push(`"anthropic_version":${JSON.stringify(options.version)}`);
  if (options.betas !== undefined && json.anthropic_beta === undefined) {
    const betas = options.betas.split(',').map((beta) => beta.trim()).filter((beta) => beta !== '');
    if (betas.length > 0) members.push(`"anthropic_beta":${JSON.stringify(betas)}`);
  }
  if (members.length > 0) {
    const brace = out.indexOf('{');
    const empty = /^\s*}/.test(out.slice(brace + 1));
    out = `${out.slice(0, brace + 1)}${members.join(',')}${empty ? '' : ','}${out.slice(brace + 1)}`;
  }
  return Buffer.from(out);
}
