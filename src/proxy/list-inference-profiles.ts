import type { ServerResponse } from 'node:http';
import { isInferenceProfileId } from '../routing/bedrock-ids.ts';
import type { CatalogEntry } from '../routing/catalog.ts';

/**
 * Bedrock's ListInferenceProfiles (`GET /inference-profiles`, a control-plane call), answered from the
 * catalog: the profiles of the Bedrock models the caller may use. Claude Code in Bedrock mode lists
 * the system-defined profiles to choose the ids of its default models; from this list it chooses ones
 * the gateway serves, in the geography configured (an `eu.` profile, say), instead of its built-in `us.`
 * ids. A gateway has no application profiles of its own, so asking for those lists none.
 */
export function listInferenceProfiles(response: ServerResponse, entries: readonly CatalogEntry[], query: URLSearchParams, requestId: string): void {
  const type = query.get('typeEquals');
  const ids = new Set<string>();
  if (type === null || type === 'SYSTEM_DEFINED') {
    for (const entry of entries) if (entry.provider.type === 'bedrock' && isInferenceProfileId(entry.upstream)) ids.add(entry.upstream);
  }
  const inferenceProfileSummaries = [...ids].map((id) => ({
    inferenceProfileName: id,
    inferenceProfileId: id,
    description: 'served through Tailgate',
    status: 'ACTIVE',
    type: 'SYSTEM_DEFINED',
    models: [],
  }));
  const body = JSON.stringify({ inferenceProfileSummaries });
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-amzn-requestid': requestId }).end(body);
}
