import { parseArgs } from './args.ts';
import { check } from './check.ts';
import { serve } from './serve.ts';
import { usage } from './usage.ts';
import { whoami } from './whoami.ts';

const help = `usage:
  tailgate serve [--config FILE] [--listen HOST:PORT]   run the gateway (env: TAILGATE_CONFIG, TAILGATE_LISTEN)
  tailgate check FILE                                   validate a config; exit 1 on errors
  tailgate whoami [--url URL] [--json]                  who the gateway says you are, and the models you may use
  tailgate usage [--by user|model|agent|provider|day|hour] [--since 7d] [--url URL]
                                                        usage as a table (yours, or everyone's for an admin)`;

/** Runs one `tailgate` command; resolves with its exit code. */
export async function main(argv: string[]): Promise<number> {
  const { positional, flags } = parseArgs(argv);
  const [command, ...rest] = positional;
  switch (command) {
    case 'serve':
      return serve(flags);
    case 'check':
      return check(rest[0] ?? (typeof flags.config === 'string' ? flags.config : undefined));
    case 'usage':
      return usage(flags);
    case 'whoami':
      return whoami(flags);
    default:
      console.log(help);
      return command === undefined || command === 'help' || flags.help ? 0 : 2;
  }
}
