import { visit, printParseErrorCode, type ParseError, parse } from 'jsonc-parser';

export type ParsedText = { value: unknown; errors: string[]; duplicates: string[] };

/**
 * HuJSON (JSON with comments and trailing commas, https://github.com/tailscale/hujson) via
 * Microsoft's jsonc-parser, which also lets us report duplicate keys as Aperture does.
 */
export function parseHujson(text: string): ParsedText {
  const parseErrors: ParseError[] = [];
  const value = parse(text, parseErrors, { allowTrailingComma: true, disallowComments: false });
  const errors = parseErrors.map((error) => {
    const { line, column } = positionOf(text, error.offset);
    return `parse error at line ${line}, column ${column}: ${printParseErrorCode(error.error)}`;
  });
  return { value, errors, duplicates: errors.length === 0 ? findDuplicateKeys(text) : [] };
}

function positionOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

function findDuplicateKeys(text: string): string[] {
  const duplicates: string[] = [];
  const seen: Set<string>[] = [];
  visit(
    text,
    {
      onObjectBegin: () => void seen.push(new Set()),
      onObjectEnd: () => void seen.pop(),
      onObjectProperty: (name) => {
        const keys = seen[seen.length - 1];
        if (keys.has(name)) duplicates.push(name);
        keys.add(name);
      },
    },
    { allowTrailingComma: true },
  );
  return duplicates;
}
