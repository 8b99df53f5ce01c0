import { zstdDecompressSync } from 'node:zlib';

/**
 * Captures are stored zstd-compressed when compression pays: below this size a zstd frame saves a
 * few dozen bytes and costs more CPU (a compression context per call) than the rest of the call's
 * recording together. A zstd frame starts with its magic number, so readers can tell the two apart.
 */
export const compressFromBytes = 1024;

const zstdMagic = [0x28, 0xb5, 0x2f, 0xfd];

export function isZstd(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && zstdMagic.every((byte, index) => bytes[index] === byte);
}

/** The bytes as they crossed the wire, whichever way they were stored. */
export function unpackCapture(bytes: Uint8Array): Buffer {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return isZstd(buffer) ? zstdDecompressSync(buffer) : buffer;
}
