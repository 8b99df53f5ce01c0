import type { TokenCredential } from '@azure/identity';
import { cachedToken, type CachedToken } from '../cached-token.ts';

// An Azure provider with neither a key nor `azure.entra`: Microsoft's DefaultAzureCredential, what
// every Azure SDK does. Environment variables (AZURE_CLIENT_ID with a secret or certificate), workload
// identity on AKS (AZURE_FEDERATED_TOKEN_FILE), the managed identity of App Service, Container Apps,
// Functions or a VM (AZURE_CLIENT_ID picks a user-assigned one), then the Azure CLI: no long-lived
// secret anywhere. @azure/identity resolves them; it loads on first use only.

export function createDefaultAzureToken(scope: string): CachedToken {
  let credential: Promise<TokenCredential> | undefined;
  return cachedToken(async () => {
    credential ??= import('@azure/identity').then(({ DefaultAzureCredential }) => new DefaultAzureCredential());
    // The chain's message lists every source it tried, with their endpoints (IMDS's link-local
    // address among them): the caller gets the kind of failure only.
    const answer = await (await credential).getToken(scope).catch((error: Error) => {
      throw new Error(`DefaultAzureCredential: ${error.name}`);
    });
    if (!answer) throw new Error('DefaultAzureCredential: no token');
    return { token: answer.token, expiresInSeconds: (answer.expiresOnTimestamp - Date.now()) / 1000 };
  });
}
