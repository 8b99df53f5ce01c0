import type { Endpoint } from '../dialect.ts';
import { openaiDialect } from '../openai-chat/errors.ts';
import { createResponsesReader } from './read-frames.ts';

/** `POST /v1/responses` (Codex speaks only this). */
export const openaiResponses: Endpoint = {
  id: 'openai-responses',
  dialect: openaiDialect,
  compat: 'openai_responses',
  stream: 'body-field',
  model: 'body-field',
  createReader: createResponsesReader,
};
