import type { Endpoint } from '../dialect.ts';
import { createUnmeteredReader } from '../../metering/unmetered-reader.ts';
import { geminiDialect } from './errors.ts';
import { createGenerateContentReader } from './read-frames.ts';

export { geminiDialect } from './errors.ts';

/** `POST /v1beta/models/{model}:generateContent` */
export const geminiGenerate: Endpoint = {
  id: 'gemini-generate',
  dialect: geminiDialect,
  compat: 'gemini_generate_content',
  stream: 'never',
  model: 'path',
  createReader: createGenerateContentReader,
};

/** `:streamGenerateContent`, SSE with `?alt=sse`, otherwise one JSON array streamed element by element. */
export const geminiStream: Endpoint = { ...geminiGenerate, id: 'gemini-stream', stream: 'always' };

/** `:countTokens`: free. */
export const geminiCountTokens: Endpoint = { ...geminiGenerate, id: 'gemini-count-tokens', createReader: createUnmeteredReader };
