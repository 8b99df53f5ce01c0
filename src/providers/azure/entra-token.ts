import type { Dispatcher } from 'undici';
import type { EntraSettings } from '../../config/config.ts';
import { cachedToken, expiresInOf, postTokenForm, type CachedToken } from '../cached-token.ts';

// Microsoft Entra ID's client-credentials grant (https://learn.microsoft.com/entra/identity-platform/
// v2-oauth2-client-creds-grant-flow): the app registration's id and secret for a token with the
// Azure AI scope, sent as `Authorization: Bearer` where a key would go in `api-key`. Resources whose
// key access is switched off (`disableLocalAuth`) accept only these.

export function createEntraTokenSource(settings: EntraSettings, options: { dispatcher: Dispatcher; now?: () => number; timeoutMs?: number }): CachedToken {
  const url = new URL(`${settings.authority}/${encodeURIComponent(settings.tenantId)}/oauth2/v2.0/token`);
  return cachedToken(async () => {
    const answer = await postTokenForm(options.dispatcher, url, {
      grant_type: 'client_credentials',
      client_id: settings.clientId,
      client_secret: settings.clientSecret,
      scope: settings.scope,
    }, options.timeoutMs);
    const accessToken = answer.body.access_token;
    if (answer.status !== 200 || typeof accessToken !== 'string') {
      // The error code only: Entra's description repeats the client id and trace ids.
      throw new Error(`token endpoint answered ${answer.status}${typeof answer.body.error === 'string' ? ` ${answer.body.error}` : ''}`);
    }
    return { token: accessToken, expiresInSeconds: expiresInOf(answer.body) };
  }, { now: options.now });
}
