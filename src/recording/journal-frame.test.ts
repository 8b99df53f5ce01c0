import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { unpackCapture } from './capture-codec.ts';
import { encodeFrame, readFrames } from './journal-frame.ts';

const record = (id: string) => JSON.stringify({ id, startedAt: 1, endedAt: 2 });
const capture = (body: Buffer) => ({ requestHeaders: [], requestBody: body, responseHeaders: {}, responseChunks: [Buffer.from('{}')], responseBytes: 2, truncated: false });

test('a frame larger than one read is read whole; reads stop at the batch size and at the range end', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'tailgate-frames-'));
  try {
    const big = Buffer.alloc(6 * 1024 * 1024, 'a');
    const frames = [encodeFrame(record('big'), capture(big)), encodeFrame(record('small-1'), undefined), encodeFrame(record('small-2'), capture(Buffer.from('{"x":1}')))];
    const file = path.join(dir, 'calls-000000000001.journal');
    const bytes = Buffer.concat(frames.flat());
    await writeFile(file, bytes);

    const first = readFrames(file, 0, bytes.length, 2);
    assert.deepEqual(first.calls.map((call) => call.record.id), ['big', 'small-1']);
    assert.ok(unpackCapture(first.calls[0].captures!.requestBody).equals(big));
    const rest = readFrames(file, first.end, bytes.length, 10);
    assert.deepEqual(rest.calls.map((call) => call.record.id), ['small-2']);
    assert.equal(rest.end, bytes.length);
    assert.equal(unpackCapture(rest.calls[0].captures!.requestBody).toString(), '{"x":1}');

    // A range that ends inside a frame yields only the whole frames before it.
    const cut = readFrames(file, 0, bytes.length - 3, 10);
    assert.deepEqual(cut.calls.map((call) => call.record.id), ['big', 'small-1']);
    assert.equal(cut.end, first.end);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('compressed captures hold about their own size in memory, not a 16 KB output buffer each, while their batch waits for the store', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'tailgate-frames-'));
  try {
    const sse = (n: number) => Buffer.from(`data: {"choices":[{"delta":{"content":"hello ${n}"}}]}\n\n`.repeat(80));
    const file = path.join(dir, 'calls-000000000001.journal');
    const bytes = Buffer.concat(Array.from({ length: 40 }, (_, n) => encodeFrame(record(`call-${n}`), capture(sse(n)))).flat());
    await writeFile(file, bytes);

    const { calls } = readFrames(file, 0, bytes.length, 100);
    assert.equal(calls.length, 40);
    calls.forEach((call, n) => assert.ok(unpackCapture(call.captures!.requestBody).equals(sse(n))));
    // The memory the compressed bodies keep alive (Buffer's 64 KB pool slabs they were cut from): with
    // zlib's default 16 KB output buffer each, 14 slabs (896 KB) for 40 bodies of ~4 KB.
    const inputBytes = calls.reduce((sum, _call, n) => sum + sse(n).byteLength, 0);
    const held = new Set(calls.map((call) => call.captures!.requestBody.buffer));
    const heldBytes = [...held].reduce((sum, buffer) => sum + buffer.byteLength, 0);
    assert.ok(heldBytes <= inputBytes + 64 * 1024, `the compressed bodies hold ${heldBytes} bytes for ${inputBytes} bytes of input`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
