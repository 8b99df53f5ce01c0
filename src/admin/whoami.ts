import type { ServerResponse } from 'node:http';
import { mayUseModel, type Access } from '../access/access.ts';
import type { Identity } from '../identity/identity.ts';
import type { Catalog } from '../routing/catalog.ts';

/** `GET /api/whoami`: the caller as the gateway sees them — identity, role, and the models they may use. */
export function whoami(response: ServerResponse, identity: Identity, access: Access, catalog: Catalog, requestId: string): void {
  const models = catalog.entries.filter((entry) => mayUseModel(access, entry.provider.id, entry.model)).map((entry) => `${entry.provider.id}/${entry.model}`);
  const body = JSON.stringify({
    login: identity.login,
    kind: identity.kind,
    source: identity.source,
    display_name: identity.displayName,
    node: identity.node,
    tags: identity.tags,
    groups: identity.groups,
    role: access.role,
    models,
  });
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-request-id': requestId }).end(body);
}
