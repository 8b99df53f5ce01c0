import type { Endpoint } from '../dialect.ts';
import { createUnmeteredReader } from '../../metering/unmetered-reader.ts';
import { bedrockDialect } from './errors.ts';
import { createConverseReader, createInvokeReader } from './read-frames.ts';

export { bedrockDialect } from './errors.ts';

/** `POST /bedrock/model/{modelId}/invoke` (also without `/bedrock`): the model's own JSON. */
export const bedrockInvoke: Endpoint = {
  id: 'bedrock-invoke',
  dialect: bedrockDialect,
  compat: 'bedrock_model_invoke',
  stream: 'never',
  model: 'path',
  createReader: ({ headers }) => createInvokeReader({ headers }),
};

/** `…/invoke-with-response-stream`: `application/vnd.amazon.eventstream` of base64 model events. */
export const bedrockInvokeStream: Endpoint = { ...bedrockInvoke, id: 'bedrock-invoke-stream', stream: 'always' };

/** `…/converse`: Bedrock's unified format. */
export const bedrockConverse: Endpoint = {
  id: 'bedrock-converse',
  dialect: bedrockDialect,
  compat: 'bedrock_converse',
  stream: 'never',
  model: 'path',
  createReader: createConverseReader,
};

/** `…/converse-stream`: typed event-stream events. */
export const bedrockConverseStream: Endpoint = { ...bedrockConverse, id: 'bedrock-converse-stream', stream: 'always' };

/** `…/count-tokens`: free. */
export const bedrockCountTokens: Endpoint = { ...bedrockInvoke, id: 'bedrock-count-tokens', createReader: createUnmeteredReader };
