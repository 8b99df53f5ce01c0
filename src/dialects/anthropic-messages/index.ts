import type { Endpoint } from '../dialect.ts';
import { anthropicDialect } from './errors.ts';
import { createMessagesReader } from './read-frames.ts';
import { createUnmeteredReader } from '../../metering/unmetered-reader.ts';

export { anthropicDialect } from './errors.ts';

/** `POST /v1/messages` (with or without `?beta=true`). */
export const anthropicMessages: Endpoint = {
  id: 'anthropic-messages',
  dialect: anthropicDialect,
  compat: 'anthropic_messages',
  stream: 'body-field',
  model: 'body-field',
  createReader: createMessagesReader,
};

/** `POST /v1/messages/count_tokens`: free, so nothing is metered. */
export const anthropicCountTokens: Endpoint = {
  id: 'anthropic-count-tokens',
  dialect: anthropicDialect,
  compat: 'anthropic_messages',
  stream: 'never',
  model: 'body-field',
  createReader: createUnmeteredReader,
};
