/**
 * Replaces `${NAME}` in every string value with the environment variable. Substituting parsed values,
 * not the raw text, means a variable's content can never change the document's structure.
 * Unset variables are collected and reported (Aperture: `unsubstituted macros: [NAME]`, an error).
 */
export function substituteEnv(value: unknown, env: Record<string, string | undefined>, missing: Set<string>): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => {
      const found = env[name];
      if (found === undefined) {
        missing.add(name);
        return whole;
      }
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((item) => substituteEnv(item, env, missing));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substituteEnv(item, env, missing)]));
  }
  return value;
}
