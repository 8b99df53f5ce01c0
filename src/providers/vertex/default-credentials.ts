import type { GoogleAuth } from 'google-auth-library';
import { cachedToken, type CachedToken } from '../cached-token.ts';

// Google's Application Default Credentials, for a Vertex provider that names no key: what every
// Google SDK does. GOOGLE_APPLICATION_CREDENTIALS (a service account, a gcloud user, workload identity
// federation, impersonation), gcloud's application_default_credentials.json, then the metadata server
// of Compute Engine, GKE (Workload Identity) and Cloud Run: no long-lived key anywhere. google-auth-
// library resolves them; it loads on first use only.

export type DefaultCredentials = CachedToken & {
  /** The project ADC knows (GOOGLE_CLOUD_PROJECT, the credentials file, the metadata server). */
  projectId(): Promise<string>;
};

/** `projectId`: the configured project, which spares the library looking for one (it runs `gcloud`). */
export function createDefaultCredentials(scope: string, options: { projectId?: string; now?: () => number } = {}): DefaultCredentials {
  const now = options.now ?? Date.now;
  let auth: Promise<GoogleAuth> | undefined;
  let current: string | undefined;
  let refused = false;
  const load = () => (auth ??= import('google-auth-library').then(({ GoogleAuth }) => new GoogleAuth({ scopes: [scope], projectId: options.projectId })));

  const cache = cachedToken(
    async () => {
      const client = await (await load()).getClient();
      // The client would hand back the token the provider just refused from its own cache: marked
      // expired (setCredentials, the one way every credential kind honours), it fetches a new one.
      if (refused) client.setCredentials({ ...client.credentials, expiry_date: 1 });
      refused = false;
      const { token } = await client.getAccessToken();
      if (!token) throw new Error('Application Default Credentials gave no access token');
      current = token;
      // The library refreshes five minutes before expiry too; a client that does not say when its
      // token expires is asked again after a minute (it answers from its own cache meanwhile).
      const expiry = client.credentials.expiry_date;
      return { token, expiresInSeconds: typeof expiry === 'number' ? (expiry - now()) / 1000 : 6 * 60 };
    },
    { now },
  );

  return {
    token: cache.token,
    invalidate(token: string) {
      cache.invalidate(token);
      if (token === current) refused = true;
    },
    async projectId() {
      return (await load()).getProjectId();
    },
  };
}
