import type { Endpoint } from '../dialect.ts';
import { openaiDialect } from './errors.ts';
import { createChatReader } from './read-frames.ts';

export { openaiDialect } from './errors.ts';

/** `POST /v1/chat/completions` */
export const openaiChat: Endpoint = {
  id: 'openai-chat',
  dialect: openaiDialect,
  compat: 'openai_chat',
  stream: 'body-field',
  model: 'body-field',
  createReader: createChatReader,
};

/** `POST /v1/embeddings`: served by any provider that speaks OpenAI chat (Aperture has no separate flag). */
export const openaiEmbeddings: Endpoint = {
  id: 'openai-embeddings',
  dialect: openaiDialect,
  compat: 'openai_chat',
  stream: 'never',
  model: 'body-field',
  createReader: () => createChatReader({ injectedUsage: false }),
};
