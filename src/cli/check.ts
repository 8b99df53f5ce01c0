import { loadConfigFile } from '../config/load.ts';

/** `tailgate check FILE`: every problem on its own line, exit code 1 when any is an error. */
export async function check(path: string | undefined): Promise<number> {
  if (!path) {
    console.error('usage: tailgate check FILE');
    return 2;
  }
  const { problems } = await loadConfigFile(path, process.env);
  for (const problem of problems) console.log(`${problem.severity}: ${problem.message}`);
  const errors = problems.filter((problem) => problem.severity === 'error').length;
  console.log(errors > 0 ? `${path}: ${errors} error(s), ${problems.length - errors} warning(s)` : `${path}: ok, ${problems.length} warning(s)`);
  return errors > 0 ? 1 : 0;
}
