import { existsSync, readFileSync } from 'node:fs';

/** The fields of a Google service-account key file that the JWT-bearer grant needs. */
export type ServiceAccount = {
  readonly clientEmail: string;
  /** PKCS#8 PEM. Never logged. */
  readonly privateKey: string;
  readonly privateKeyId?: string;
  readonly tokenUri: string;
  readonly projectId?: string;
};

const defaultTokenUri = 'https://oauth2.googleapis.com/token';

/**
 * A key given as Aperture does (`apikey: "keyfile::…"`, the key's JSON or its base64) or as a file
 * path (`vertex.keyfile`, e.g. `${GOOGLE_APPLICATION_CREDENTIALS}`). Read once, at config load.
 */
export function readServiceAccount(material: string): ServiceAccount {
  let text = material.trim();
  if (!text.startsWith('{')) {
    if (existsSync(text)) {
      text = readFileSync(text, 'utf8');
    } else {
      const decoded = Buffer.from(text, 'base64').toString('utf8').trim();
      if (!decoded.startsWith('{')) throw new Error('the service-account key is neither JSON, base64 JSON nor a readable file');
      text = decoded;
    }
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error('the service-account key is not valid JSON');
  }
  const { client_email: clientEmail, private_key: privateKey, private_key_id: privateKeyId, token_uri: tokenUri, project_id: projectId } = json;
  if (typeof clientEmail !== 'string' || typeof privateKey !== 'string') throw new Error('the service-account key has no client_email or private_key');
  return {
    clientEmail,
    privateKey,
    privateKeyId: typeof privateKeyId === 'string' ? privateKeyId : undefined,
    tokenUri: typeof tokenUri === 'string' && tokenUri !== '' ? tokenUri : defaultTokenUri,
    projectId: typeof projectId === 'string' ? projectId : undefined,
  };
}
