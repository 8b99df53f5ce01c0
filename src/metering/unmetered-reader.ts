import type { ResponseReader } from './facts.ts';

/** For free calls (token counting): the response carries no billable usage. */
export function createUnmeteredReader(): ResponseReader {
  return { read() {}, facts: () => ({ usage: {}, toolCalls: [] }) };
}
