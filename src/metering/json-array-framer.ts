/**
 * Splits Gemini's non-SSE stream — one JSON array sent element by element, `[{…}\n,\r\n{…}\n]` —
 * into its top-level elements as they complete, by tracking depth outside strings.
 */
export function createJsonArrayFramer(onElement: (text: string) => void) {
  let pending = '';
  let scan = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let elementStart = -1;

  return {
    push(text: string): void {
      pending += text;
      for (let i = scan; i < pending.length; i++) {
        const c = pending.charCodeAt(i);
        if (inString) {
          if (escaped) escaped = false;
          else if (c === 92 /* \ */) escaped = true;
          else if (c === 34 /* " */) inString = false;
          continue;
        }
        if (c === 34) inString = true;
        else if (c === 123 /* { */ || c === 91 /* [ */) {
          if (depth === 1 && elementStart === -1) elementStart = i;
          depth++;
        } else if (c === 125 /* } */ || c === 93 /* ] */) {
          depth--;
          if (depth === 1 && elementStart !== -1) {
            onElement(pending.slice(elementStart, i + 1));
            elementStart = -1;
          }
        }
      }
      // Keep only the unfinished element.
      const keepFrom = elementStart === -1 ? pending.length : elementStart;
      pending = pending.slice(keepFrom);
      scan = pending.length;
      if (elementStart !== -1) elementStart = 0;
    },
  };
}
