import type { Dispatcher } from 'undici';
import type { EntraSettings } from '../../config/config.ts';
import { accessTokenOf, cachedToken, postTokenForm, type CachedToken } from '../cached-token.ts';

// Microsoft Entra ID's client-credentials grant (https://learn.microsoft.com/entra/identity-platform/
// v2-oauth2-client-creds-grant-flow): the app registration's id and secret for a token with the
// Azure AI scope, sent as `Authorization: Bearer` where a key would go in `api-key`. Resources whose
// key access is switched off (`disableLocalAuth`) accept only these.

export function createEntraTokenSource(settings: EntraSettings, options: { dispatcher: Dispatcher; now?: () => number; timeoutMs?: number }): CachedToken {
  const url = new URL(`${settings.authority}/${encodeURIComponent(settings.tenantId)}/oauth2/v2.0/token`);
  const form = { grant_type: 'client_credentials', client_id: settings.clientId, client_secret: settings.clientSecret, scope: settings.scope };
  return cachedToken(async () => accessTokenOf(await postTokenForm(options.dispatcher, url, form, options.timeoutMs)), { now: options.now });
}
