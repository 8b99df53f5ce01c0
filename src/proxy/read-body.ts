import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../dialects/gateway-error.ts';

/**
 * Reads the whole request body once, refusing more than `maxBytes` (by Content-Length up front,
 * or as it arrives) and clients that stall for longer than `timeoutMs`.
 */
export function readBody(request: IncomingMessage, options: { maxBytes: number; timeoutMs: number }): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (declared > options.maxBytes) return Promise.reject(tooLarge(options.maxBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => fail(new GatewayError('request_timeout', `request body not received within ${options.timeoutMs / 1000} s`)), options.timeoutMs);
    function fail(error: GatewayError): void {
      cleanup();
      request.resume(); // discard the rest so the error can still be sent on this connection
      reject(error);
    }
    function cleanup(): void {
      clearTimeout(timer);
      request.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
    }
    function onData(chunk: Buffer): void {
      size += chunk.length;
      if (size > options.maxBytes) return fail(tooLarge(options.maxBytes));
      chunks.push(chunk);
    }
    function onEnd(): void {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    }
    function onError(): void {
      fail(new GatewayError('invalid_request', 'request body could not be read'));
    }
    function onClose(): void {
      if (!request.complete) fail(new GatewayError('invalid_request', 'client closed the connection before sending the whole body'));
    }
    request.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

function tooLarge(maxBytes: number): GatewayError {
  return new GatewayError('request_too_large', `request body is larger than the gateway's limit of ${maxBytes} bytes`);
}
