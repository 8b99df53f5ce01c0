import type { IncomingMessage, ServerResponse } from 'node:http';
import { createAccessPolicy, mayUseModel, type Access } from '../access/access.ts';
import { compileGrants, srcMatches } from '../access/grants.ts';
import type { Config } from '../config/config.ts';
import { compatFlags } from '../dialects/dialect.ts';
import { GatewayError } from '../dialects/gateway-error.ts';
import type { Identity } from '../identity/identity.ts';
import type { Catalog, CatalogEntry } from '../routing/catalog.ts';
import type { Store } from '../store/store.ts';
import type { ConfigEditor, SaveOutcome } from './config-editor.ts';
import { SECRET_PLACEHOLDER } from './config-text.ts';
import { sendJson } from './respond.ts';
import { toolUse, usageSeries } from './series.ts';

export type AdminContext = {
  identity: Identity;
  access: Access;
  config: Config;
  catalog: Catalog;
  store?: Store;
  editor: ConfigEditor;
  requestId: string;
  now: number;
};

const maxBodyBytes = 4 * 1024 * 1024;

/**
 * A JSON body for a control-plane write. `application/json` is required and a cross-site Origin is
 * refused: identity comes from the network, so a page on another site open in an admin's browser must
 * not be able to send a config (a JSON content type forces a CORS preflight we never answer).
 */
async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) throw new GatewayError('invalid_request', 'content-type must be application/json', { status: 415 });
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    const host = URL.canParse(origin) ? new URL(origin).host : '';
    if (host !== request.headers.host) throw new GatewayError('permission', 'cross-origin writes are refused');
  } else if (origin === 'null') throw new GatewayError('permission', 'cross-origin writes are refused');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) throw new GatewayError('request_too_large', 'body too large');
    chunks.push(chunk);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw new GatewayError('invalid_request', 'body must be a JSON object');
  }
}

function sendOutcome(response: ServerResponse, outcome: SaveOutcome, requestId: string): void {
  if (outcome.ok) {
    sendJson(response, 200, { ok: true, version: outcome.version, history_id: outcome.entry.id, path: outcome.path }, requestId);
    return;
  }
  sendJson(
    response,
    outcome.status,
    { ok: false, error: { message: outcome.message, type: outcome.status === 409 ? 'conflict' : 'invalid_request' }, problems: outcome.problems ?? [], version: outcome.version },
    requestId,
  );
}

/** Per-1M-token USD, base (short-context) rate; reasoning is billed as output unless a price says otherwise. */
function perMillion(entry: CatalogEntry): Record<string, number> | undefined {
  if (!entry.price) return undefined;
  const { price, adjustment } = entry.price;
  const rate = (key: string) => {
    const value = price[key];
    const base = typeof value === 'number' ? value : value?.base;
    return base === undefined ? undefined : base * adjustment;
  };
  const rates: Record<string, number | undefined> = {
    input: rate('input_mtok'),
    output: rate('output_mtok'),
    cache_read: rate('cache_read_mtok'),
    cache_write: rate('cache_write_mtok'),
    cache_write_1h: rate('cache_write_1h_mtok'),
    reasoning: rate('reasoning_mtok') ?? rate('output_mtok'),
  };
  return Object.fromEntries(Object.entries(rates).filter((pair): pair is [string, number] => pair[1] !== undefined));
}

/** A base URL without any userinfo, which could hold a credential. */
function safeUrl(url: string): string {
  if (!URL.canParse(url)) return url;
  const parsed = new URL(url);
  if (!parsed.username && !parsed.password) return url;
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}

/** The identity "what can X use?" asks about: a login, `tag:a,tag:b`, or `(loopback)`. */
function hypothetical(who: string, groups: string[]): Identity {
  if (who === '(loopback)') return { login: who, kind: 'loopback', source: 'loopback', tags: [], groups, capMap: {} };
  if (who.startsWith('tag:')) {
    const tags = who.split(',').map((tag) => tag.trim()).filter(Boolean).sort();
    return { login: tags.join(','), kind: 'tagged', source: 'tailscale', tags, groups, capMap: {} };
  }
  return { login: who, kind: 'user', source: 'tailscale', tags: [], groups, capMap: {} };
}

const adminOnly = [/^\/api\/config([/:]|$)/, /^\/api\/providers$/, /^\/api\/access\//];

/**
 * The control-plane API the web UI needs beyond the usage API. The caller already has a role; admin
 * routes check for `admin` before anything else (before reading a body). Returns false for paths that
 * are not ours.
 */
export async function handleAdminApi(request: IncomingMessage, response: ServerResponse, path: string, params: URLSearchParams, context: AdminContext): Promise<boolean> {
  const method = request.method ?? 'GET';
  const { editor, requestId } = context;
  const admin = context.access.role === 'admin';
  if (adminOnly.some((pattern) => pattern.test(path)) && !admin) throw new GatewayError('permission', 'access denied: this needs role admin');

  if (path === '/api/config' && method === 'GET') {
    sendJson(response, 200, { ...(await editor.read()), placeholder: SECRET_PLACEHOLDER }, requestId);
    return true;
  }
  if (path === '/api/config' && method === 'PUT') {
    const body = await readJson(request);
    if (typeof body.text !== 'string') throw new GatewayError('invalid_request', '"text" (the whole config as HuJSON) is required');
    sendOutcome(response, await editor.save(body.text, typeof body.version === 'string' ? body.version : undefined, context.identity), requestId);
    return true;
  }
  if ((path === '/api/config/validate' || path === '/api/config:validate') && method === 'POST') {
    const body = await readJson(request);
    if (typeof body.text !== 'string') throw new GatewayError('invalid_request', '"text" is required');
    sendJson(response, 200, await editor.validate(body.text, context.identity), requestId);
    return true;
  }
  if (path === '/api/config/history' && method === 'GET') {
    sendJson(response, 200, { items: await editor.history() }, requestId);
    return true;
  }
  const entry = /^\/api\/config\/history\/([\w-]+)(\/restore)?$/.exec(path);
  if (entry && !entry[2] && method === 'GET') {
    const text = await editor.historyText(entry[1]);
    if (text === undefined) throw new GatewayError('not_found', 'no such history entry');
    sendJson(response, 200, { id: entry[1], text }, requestId);
    return true;
  }
  if (entry && entry[2] && method === 'POST') {
    const body = await readJson(request);
    sendOutcome(response, await editor.restore(entry[1], typeof body.version === 'string' ? body.version : undefined, context.identity), requestId);
    return true;
  }
  if (path === '/api/providers' && method === 'GET') {
    const providers = context.config.providers.map((provider) => ({
      id: provider.id,
      name: provider.name,
      description: provider.description,
      baseurl: safeUrl(provider.baseurl),
      authorization: provider.authorization,
      auth_mode: provider.authMode,
      compatibility: provider.compatibility,
      models: provider.models,
      preference: provider.preference,
      disabled: provider.disabled,
      cost_basis: provider.costBasis,
      has_key: provider.apikey !== '',
      requires_client_auth: provider.authMode === 'passthrough',
    }));
    sendJson(response, 200, { providers, compatibility_flags: compatFlags }, requestId);
    return true;
  }
  if (path === '/api/access/check' && method === 'POST') {
    const body = await readJson(request);
    const who = typeof body.who === 'string' ? body.who.trim() : '';
    if (!who) throw new GatewayError('invalid_request', '"who" (a login, tag:… or (loopback)) is required');
    const grants = Array.isArray(body.grants) ? body.grants : context.config.grants;
    const tempGrants = Array.isArray(body.temp_grants) ? body.temp_grants : context.config.tempGrants;
    const extraGroups = Array.isArray(body.groups) ? body.groups.filter((group): group is string => typeof group === 'string') : [];
    const capability = context.config.identity.tailscale.capability;
    const policy = createAccessPolicy({ grants, tempGrants, groups: context.config.groups, capability });
    const identity = hypothetical(who, extraGroups);
    const access = policy.accessFor(identity);
    const matched = compileGrants(grants, [], capability)
      .map((grant, index) => (grant.src.some((selector) => srcMatches(selector, identity, policy.groupsOf)) ? index : -1))
      .filter((index) => index >= 0);
    const models = context.catalog.entries.filter((item) => mayUseModel(access, item.provider.id, item.model)).map((item) => `${item.provider.id}/${item.model}`);
    sendJson(response, 200, { who: identity.login, role: access.role ?? null, models, patterns: access.models, matched_grants: matched }, requestId);
    return true;
  }
  if (path === '/api/models' && method === 'GET') {
    const models = context.catalog.entries
      .map((item) => ({ item, allowed: mayUseModel(context.access, item.provider.id, item.model) }))
      .filter(({ allowed }) => admin || allowed)
      .map(({ item, allowed }) => ({
        id: `${item.provider.id}/${item.model}`,
        model: item.model,
        provider: item.provider.id,
        provider_name: item.provider.name,
        description: item.provider.description,
        compatibility: compatFlags.filter((flag) => item.provider.compatibility[flag]),
        price_per_million: perMillion(item) ?? null,
        cost_basis: item.price ? `${item.price.basis}/${item.price.model}` : null,
        allowed,
      }));
    sendJson(response, 200, { models }, requestId);
    return true;
  }
  if (path === '/api/usage/series' && method === 'GET') {
    if (!context.store) throw new GatewayError('unavailable', 'this gateway runs without a store');
    await usageSeries(response, params, { store: context.store, login: context.identity.login, admin, requestId, now: context.now });
    return true;
  }
  if (path === '/api/tool-use' && method === 'GET') {
    if (!context.store) throw new GatewayError('unavailable', 'this gateway runs without a store');
    await toolUse(response, params, { store: context.store, login: context.identity.login, admin, requestId, now: context.now });
    return true;
  }
  return false;
}
