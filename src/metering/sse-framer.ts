/**
 * An incremental Server-Sent Events parser (https://html.spec.whatwg.org/multipage/server-sent-events.html):
 * CR, LF and CRLF line ends (Gemini uses CRLF), `:` comments, multi-line data, events split across
 * chunks. It reports each event with its raw text so a caller can forward events verbatim.
 */
export type SseEvent = { data: string | undefined; event: string | undefined; raw: string };

export function createSseFramer(onEvent: (event: SseEvent) => void) {
  let pending = '';
  let scan = 0; // next character to look at
  let lineStart = 0;
  let eventStart = 0;
  let data: string[] = [];
  let eventName: string | undefined;

  function readLine(line: string): void {
    if (line.charCodeAt(0) === 58 /* : */) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') eventName = value;
  }

  function dispatch(end: number): void {
    onEvent({ data: data.length > 0 ? data.join('\n') : undefined, event: eventName, raw: pending.slice(eventStart, end) });
    eventStart = end;
    data = [];
    eventName = undefined;
  }

  function drain(final: boolean): void {
    const length = pending.length;
    let i = scan;
    while (i < length) {
      const c = pending.charCodeAt(i);
      if (c !== 10 && c !== 13) {
        i++;
        continue;
      }
      // A CR at the very end may be the first half of a CRLF: wait for the next chunk.
      if (c === 13 && i + 1 === length && !final) break;
      const next = c === 13 && pending.charCodeAt(i + 1) === 10 ? i + 2 : i + 1;
      if (i === lineStart) dispatch(next);
      else readLine(pending.slice(lineStart, i));
      i = next;
      lineStart = next;
    }
    scan = i;
    if (eventStart > 0) {
      pending = pending.slice(eventStart);
      scan -= eventStart;
      lineStart -= eventStart;
      eventStart = 0;
    }
  }

  return {
    push(text: string): void {
      pending += text;
      drain(false);
    },
    /** Flushes what is left: a final event without its blank line still counts, and no byte is lost. */
    end(): void {
      drain(true);
      if (lineStart < pending.length) readLine(pending.slice(lineStart));
      if (pending.length > 0) dispatch(pending.length);
      pending = '';
      scan = lineStart = 0;
    },
  };
}
