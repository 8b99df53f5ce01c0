// What a storage URL names, apart from the executors that open it: the gateway's main thread needs only
// this, and importing the executors would load node:sqlite and pg into a thread that never queries.

/** The file a `sqlite:` storage URL names (`sqlite:PATH`, `sqlite://PATH`, `sqlite::memory:`), or undefined for other URLs. */
export function sqlitePath(url: string): string | undefined {
  if (!url.startsWith('sqlite:')) return undefined;
  const file = url.slice('sqlite:'.length).replace(/^\/\//, '');
  if (file === '') throw new Error(`storage.url "${url}" names no file`);
  return file;
}

export function isPostgresUrl(url: string): boolean {
  return url.startsWith('postgres://') || url.startsWith('postgresql://');
}
