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

const { positional, flags } = parseArgs(process.argv.slice(2));
const [command, ...rest] = positional;
let code: number;
switch (command) {
  case 'serve':
    code = await serve(flags);
    break;
  case 'check':
    code = await check(rest[0] ?? (typeof flags.config === 'string' ? flags.config : undefined));
    break;
  case 'usage':
    code = await usage(flags);
    break;
  case 'whoami':
    code = await whoami(flags);
    break;
  default:
    console.log(help);
    code = command === undefined || command === 'help' || flags.help ? 0 : 2;
}
if (code !== 0) process.exitCode = code;
