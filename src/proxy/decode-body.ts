import { brotliDecompress, gunzip, inflate, zstdDecompress, type ZlibOptions } from 'node:zlib';
import { GatewayError } from '../dialects/gateway-error.ts';

const maxCodings = 2;

type Decoder = (body: Buffer, options: ZlibOptions, done: (error: Error | null, result: Buffer) => void) => void;

// The content codings of RFC 9110 §8.4.1 and zstd (RFC 8878), which Codex CLI signed in with ChatGPT
// uses for its Responses requests (and other agents after it): providers accept such bodies, so a
// gateway in front of them must too.
const decoders: Record<string, Decoder> = {
  gzip: gunzip,
  'x-gzip': gunzip,
  deflate: inflate,
  br: brotliDecompress as Decoder,
  zstd: zstdDecompress as Decoder,
};

/**
 * The request body without its Content-Encoding, so routing, metering and the capture read JSON and
 * the provider gets plain JSON (the header is not forwarded). The body limit applies to each decoded
 * size too: a few KB of zstd can unpack to gigabytes. Decoding runs on libuv's thread pool, off the
 * event loop. An unknown coding is a 415 (RFC 9110 §15.5.16), bytes that do not decode a 400.
 */
export async function decodeBody(body: Buffer, contentEncoding: string, maxBytes: number): Promise<Buffer> {
  // Codings are listed in the order they were applied: undo the last first.
  const codings = contentEncoding.toLowerCase().split(',').map((coding) => coding.trim()).filter((coding) => coding !== '' && coding !== 'identity');
  // Every layer may unpack to the limit: a long list would make one request cost that many times over.
  if (codings.length > maxCodings) throw new GatewayError('invalid_request', `content-encoding lists ${codings.length} codings; at most ${maxCodings} are decoded`, { status: 415 });
  for (const coding of codings) {
    if (!(coding in decoders)) throw new GatewayError('invalid_request', `content-encoding "${coding}" is not supported (gzip, deflate, br, zstd are)`, { status: 415 });
  }
  let decoded = body;
  for (const coding of codings.reverse()) decoded = await decode(decoders[coding], decoded, coding, maxBytes);
  return decoded;
}

function decode(decoder: Decoder, body: Buffer, coding: string, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    decoder(body, { maxOutputLength: maxBytes }, (error, result) => {
      if (!error) return resolve(result);
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        return reject(new GatewayError('request_too_large', `request body is larger than the gateway's limit of ${maxBytes} bytes once decoded (${coding})`));
      }
      reject(new GatewayError('invalid_request', `request body is not valid ${coding} (content-encoding)`));
    }),
  );
}
