const cache = new Map<string, RegExp>();

/**
 * Matches names like `provider/model` against Aperture's globs: `*` is any run of characters
 * within one `/`-separated segment, `**` any number of whole segments (including none), `?` one
 * character. Without `**` this is Go's path.Match, which model_cost_map uses.
 */
export function globMatch(pattern: string, name: string): boolean {
  let regexp = cache.get(pattern);
  if (!regexp) {
    regexp = new RegExp(`^${globSource(pattern)}$`);
    cache.set(pattern, regexp);
  }
  return regexp.test(name);
}

function globSource(pattern: string): string {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      const slashAfter = pattern[i + 2] === '/';
      source += slashAfter ? '(?:.*/)?' : '.*';
      i += slashAfter ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return source;
}
