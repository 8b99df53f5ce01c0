import { parseArgs } from './args.ts';
import { check } from './check.ts';
import { serve } from './serve.ts';
import { whoami } from './whoami.ts';

const usage = `usage:
  tailgate serve [--config FILE] [--listen HOST:PORT]   run the gateway (env: TAILGATE_CONFIG, TAILGATE_LISTEN)
  tailgate check FILE                                   validate a config; exit 1 on errors
  tailgate whoami [--url URL] [--json]                  who the gateway says you are, and the models you may use`;

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
  case 'whoami':
    code = await whoami(flags);
    break;
  default:
    console.log(usage);
    code = command === undefined || command === 'help' || flags.help ? 0 : 2;
}
if (code !== 0) process.exitCode = code;
