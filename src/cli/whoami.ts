/** `tailgate whoami [--url URL]`: asks a running gateway who it thinks we are, and what we may use. */
export async function whoami(flags: Record<string, string | true>): Promise<number> {
  const base = typeof flags.url === 'string' ? flags.url : (process.env.TAILGATE_URL ?? 'http://127.0.0.1:8080');
  let response: Response;
  try {
    response = await fetch(new URL('/api/whoami', base));
  } catch {
    console.error(`tailgate: cannot reach a gateway at ${base}`);
    return 1;
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    const error = body.error as { message?: string } | undefined;
    console.error(`tailgate: ${response.status} ${error?.message ?? response.statusText}`);
    return 1;
  }
  if (flags.json) {
    console.log(JSON.stringify(body, null, 2));
    return 0;
  }
  const node = body.node as { name?: string } | undefined;
  const lines = [
    ['login', String(body.login)],
    ['source', String(body.source)],
    ['role', String(body.role)],
    ...(node?.name ? [['node', node.name]] : []),
    ...((body.tags as string[]).length ? [['tags', (body.tags as string[]).join(', ')]] : []),
    ['models', (body.models as string[]).join('\n        ') || '(none)'],
  ];
  for (const [name, value] of lines) console.log(`${name.padEnd(7)} ${value}`);
  return 0;
}
