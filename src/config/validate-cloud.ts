import type { CompatFlag } from '../dialects/dialect.ts';
import { cognitiveServicesScope, providerTypes, type AzureSettings, type BedrockSettings, type EntraSettings, type ProviderType, type VertexSettings } from './config.ts';
import type { Problems } from './validate-identity.ts';

// The cloud providers' own settings live under keys Aperture does not use: `type`, `bedrock`,
// `vertex`, `azure` (DESIGN.md, compatibility promise). An Aperture config needs none of them: a
// provider with Bedrock or Vertex compatibility flags is that kind already (aperture.md §3.1).

type Json = Record<string, unknown>;

function object(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function strings(raw: Json, path: string, keys: readonly string[], problems: Problems): Record<string, string | undefined> {
  const known = new Set(keys);
  for (const key of Object.keys(raw)) if (!known.has(key)) problems.warn(`unknown config key "${path}${key}"`);
  const out: Record<string, string | undefined> = {};
  for (const key of keys) {
    const value = raw[key];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value === 'string') out[key] = value;
    else if (typeof value !== 'object') problems.warn(`config key "${path}${key}" must be a string, got ${typeof value}`);
  }
  return out;
}

function modelMap(raw: unknown, path: string, problems: Problems): Record<string, string> {
  if (raw === undefined) return {};
  const map = object(raw);
  if (!map) {
    problems.warn(`config key "${path}" must be an object of model → id`);
    return {};
  }
  const out: Record<string, string> = {};
  for (const [model, id] of Object.entries(map)) {
    if (typeof id === 'string' && id !== '') out[model] = id;
    else problems.warn(`config key "${path}.${model}" must be a non-empty string`);
  }
  return out;
}

/** The provider's kind: `type` when given, else what its compatibility flags and settings say. */
export function readProviderType(object_: Json, compatibility: Record<CompatFlag, boolean>, apikey: string, id: string, problems: Problems): ProviderType {
  const explicit = object_.type;
  if (explicit !== undefined) {
    if (typeof explicit === 'string' && (providerTypes as readonly string[]).includes(explicit)) return explicit as ProviderType;
    problems.warn(`provider ${id} has invalid type: ${String(explicit)} (one of ${providerTypes.join(', ')})`);
  }
  if (compatibility.bedrock_model_invoke || compatibility.bedrock_converse || object_.bedrock !== undefined) return 'bedrock';
  if (compatibility.google_generate_content || compatibility.google_raw_predict || object_.vertex !== undefined || apikey.startsWith('keyfile::')) return 'vertex';
  if (object_.azure !== undefined) return 'azure';
  return 'api-key';
}

export type CloudSettings = {
  upstreamModels: Record<string, string>;
  bedrock?: BedrockSettings;
  vertex?: VertexSettings;
  azure?: AzureSettings;
};

/** `azure.entra`: all three of tenant_id, client_id and client_secret, or the block is ignored (a warning). */
function readEntra(value: unknown, path: string, id: string, problems: Problems): EntraSettings | undefined {
  if (value === undefined) return undefined;
  const raw = object(value);
  if (!raw) {
    problems.warn(`config key "${path.slice(0, -1)}" must be an object`);
    return undefined;
  }
  const s = strings(raw, path, ['tenant_id', 'client_id', 'client_secret', 'authority', 'scope'], problems);
  if (!s.tenant_id || !s.client_id || !s.client_secret) {
    problems.warn(`provider ${id} needs azure.entra.tenant_id, client_id and client_secret; it is ignored`);
    return undefined;
  }
  return {
    tenantId: s.tenant_id,
    clientId: s.client_id,
    clientSecret: s.client_secret,
    authority: (s.authority ?? 'https://login.microsoftonline.com').replace(/\/+$/, ''),
    scope: s.scope ?? cognitiveServicesScope,
  };
}

/** Reads the settings block of the provider's kind; a block for another kind is a warning. */
export function readCloudSettings(object_: Json, type: ProviderType, id: string, problems: Problems): CloudSettings {
  const path = `providers.${id}.`;
  for (const kind of ['bedrock', 'vertex', 'azure'] as const) {
    if (object_[kind] !== undefined && kind !== type) problems.warn(`config key "${path}${kind}" is ignored: provider ${id} is of type ${type}`);
  }
  const raw = object(object_[type]) ?? {};
  if (object_[type] !== undefined && !object(object_[type])) problems.warn(`config key "${path}${type}" must be an object`);
  switch (type) {
    case 'api-key':
      return { upstreamModels: {} };
    case 'bedrock': {
      const s = strings(raw, `${path}bedrock.`, ['region', 'access_key_id', 'secret_access_key', 'session_token', 'profile', 'model_ids'], problems);
      if ((s.access_key_id === undefined) !== (s.secret_access_key === undefined)) {
        problems.warn(`provider ${id} needs both bedrock.access_key_id and bedrock.secret_access_key (or neither, for the AWS credential chain)`);
      }
      const bedrock: BedrockSettings = {
        region: s.region,
        accessKeyId: s.secret_access_key ? s.access_key_id : undefined,
        secretAccessKey: s.access_key_id ? s.secret_access_key : undefined,
        sessionToken: s.session_token,
        profile: s.profile,
      };
      return { upstreamModels: modelMap(raw.model_ids, `${path}bedrock.model_ids`, problems), bedrock };
    }
    case 'vertex': {
      const s = strings(raw, `${path}vertex.`, ['project', 'region', 'keyfile', 'model_ids'], problems);
      return { upstreamModels: modelMap(raw.model_ids, `${path}vertex.model_ids`, problems), vertex: { project: s.project, region: s.region, keyfile: s.keyfile } };
    }
    case 'azure': {
      const s = strings(raw, `${path}azure.`, ['api', 'api_version', 'deployments', 'entra'], problems);
      let api = s.api;
      if (api !== undefined && api !== 'v1' && api !== 'deployments') {
        problems.warn(`provider ${id} has invalid azure.api: ${api} (v1 or deployments)`);
        api = undefined;
      }
      const deployments = modelMap(raw.deployments, `${path}azure.deployments`, problems);
      // Deployment URLs when deployments are named or an api-version is pinned; the v1 API otherwise.
      const azure: AzureSettings = {
        api: (api as AzureSettings['api'] | undefined) ?? (Object.keys(deployments).length > 0 || s.api_version ? 'deployments' : 'v1'),
        apiVersion: s.api_version ?? '2024-10-21',
        entra: readEntra(raw.entra, `${path}azure.entra.`, id, problems),
      };
      return { upstreamModels: deployments, azure };
    }
  }
}
