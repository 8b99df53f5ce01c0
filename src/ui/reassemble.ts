/**
 * A streamed response rebuilt into the one response object the same call without `stream` would have
 * returned, per dialect, from the SSE events the gateway stored. Unknown shapes give undefined and the
 * page shows the raw events only.
 */
export type StreamEvent = { event?: string; data?: string };

type Json = Record<string, any>;

function parse(data: string | undefined): Json | undefined {
  if (!data || data === '[DONE]') return undefined;
  try {
    const value = JSON.parse(data);
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

function openaiChat(events: StreamEvent[]): Json | undefined {
  let result: Json | undefined;
  const choices = new Map<number, { index: number; message: Json; finish_reason: string | null }>();
  for (const event of events) {
    const chunk = parse(event.data);
    if (!chunk) continue;
    result ??= { id: chunk.id, object: 'chat.completion', created: chunk.created, model: chunk.model };
    if (chunk.usage) result.usage = chunk.usage;
    for (const delta of chunk.choices ?? []) {
      let choice = choices.get(delta.index ?? 0);
      if (!choice) choices.set(delta.index ?? 0, (choice = { index: delta.index ?? 0, message: { role: 'assistant', content: '' }, finish_reason: null }));
      const d = delta.delta ?? {};
      if (typeof d.content === 'string') choice.message.content += d.content;
      if (typeof d.reasoning_content === 'string') choice.message.reasoning_content = (choice.message.reasoning_content ?? '') + d.reasoning_content;
      if (typeof d.refusal === 'string') choice.message.refusal = (choice.message.refusal ?? '') + d.refusal;
      for (const call of d.tool_calls ?? []) {
        const calls: Json[] = (choice.message.tool_calls ??= []);
        let target = calls[call.index ?? 0];
        if (!target) calls[call.index ?? 0] = target = { id: call.id, type: 'function', function: { name: '', arguments: '' } };
        if (call.id) target.id = call.id;
        if (call.function?.name) target.function.name += call.function.name;
        if (call.function?.arguments) target.function.arguments += call.function.arguments;
      }
      if (delta.finish_reason) choice.finish_reason = delta.finish_reason;
    }
  }
  if (!result) return undefined;
  result.choices = [...choices.values()].sort((a, b) => a.index - b.index);
  return result;
}

function openaiResponses(events: StreamEvent[]): Json | undefined {
  let text = '';
  let last: Json | undefined;
  for (const event of events) {
    const data = parse(event.data);
    if (!data) continue;
    if (data.response && /response\.(completed|incomplete|failed)/.test(data.type ?? event.event ?? '')) return data.response;
    if (data.response) last = data.response;
    if (data.type === 'response.output_text.delta' && typeof data.delta === 'string') text += data.delta;
  }
  return last ? { ...last, output_text: text } : undefined;
}

function anthropicMessages(events: StreamEvent[]): Json | undefined {
  let message: Json | undefined;
  const partialJson = new Map<number, string>();
  for (const event of events) {
    const data = parse(event.data);
    if (!data) continue;
    switch (data.type) {
      case 'message_start':
        message = { ...data.message, content: [] };
        break;
      case 'content_block_start':
        if (message) message.content[data.index] = { ...data.content_block };
        break;
      case 'content_block_delta': {
        const block = message?.content[data.index];
        const delta = data.delta ?? {};
        if (!block) break;
        if (delta.type === 'text_delta') block.text = (block.text ?? '') + delta.text;
        else if (delta.type === 'thinking_delta') block.thinking = (block.thinking ?? '') + delta.thinking;
        else if (delta.type === 'signature_delta') block.signature = delta.signature;
        else if (delta.type === 'input_json_delta') partialJson.set(data.index, (partialJson.get(data.index) ?? '') + delta.partial_json);
        else if (delta.type === 'citations_delta') (block.citations ??= []).push(delta.citation);
        break;
      }
      case 'content_block_stop': {
        const block = message?.content[data.index];
        const json = partialJson.get(data.index);
        if (block && json !== undefined) {
          try {
            block.input = JSON.parse(json || '{}');
          } catch {
            block.input = json;
          }
        }
        break;
      }
      case 'message_delta':
        if (message) {
          Object.assign(message, data.delta ?? {});
          message.usage = { ...message.usage, ...data.usage };
        }
        break;
      case 'error':
        return data;
    }
  }
  return message;
}

function gemini(events: StreamEvent[]): Json | undefined {
  let result: Json | undefined;
  const parts: Json[] = [];
  let finishReason: string | undefined;
  for (const event of events) {
    const chunk = parse(event.data);
    if (!chunk) continue;
    result ??= { modelVersion: chunk.modelVersion, responseId: chunk.responseId };
    if (chunk.usageMetadata) result.usageMetadata = chunk.usageMetadata;
    const candidate = chunk.candidates?.[0];
    for (const part of candidate?.content?.parts ?? []) {
      const previous = parts.at(-1);
      if (typeof part.text === 'string' && previous && typeof previous.text === 'string' && !!previous.thought === !!part.thought) previous.text += part.text;
      else parts.push({ ...part });
    }
    if (candidate?.finishReason) finishReason = candidate.finishReason;
  }
  if (!result) return undefined;
  return { candidates: [{ content: { role: 'model', parts }, finishReason, index: 0 }], ...result };
}

export function reassemble(endpoint: string | undefined, events: StreamEvent[]): Json | undefined {
  switch (endpoint) {
    case 'openai-chat':
      return openaiChat(events);
    case 'openai-responses':
      return openaiResponses(events);
    case 'anthropic-messages':
      return anthropicMessages(events);
    case 'gemini-stream':
    case 'gemini-generate':
      return gemini(events);
    default:
      // Unknown endpoint: guess from the events' shape.
      if (events.some((e) => parse(e.data)?.type === 'message_start')) return anthropicMessages(events);
      if (events.some((e) => (parse(e.data)?.type ?? '').startsWith('response.'))) return openaiResponses(events);
      if (events.some((e) => parse(e.data)?.candidates)) return gemini(events);
      if (events.some((e) => parse(e.data)?.choices)) return openaiChat(events);
      return undefined;
  }
}

export function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
