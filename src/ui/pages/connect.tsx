import type { Whoami } from '../api.ts';
import { CopyBlock, Page } from '../components/common.tsx';

function pick(models: string[], test: (model: string) => boolean, fallback: string): string {
  const found = models.find((model) => test(model.slice(model.indexOf('/') + 1)));
  return found ? found.slice(found.indexOf('/') + 1) : fallback;
}

export function ConnectPage(props: { me: Whoami }) {
  const url = window.location.origin;
  const models = props.me.models;
  const claude = pick(models, (m) => m.startsWith('claude'), 'claude-sonnet-4-5');
  const gpt = pick(models, (m) => m.startsWith('gpt') && !m.includes('embedding'), 'gpt-5');
  const geminiModel = pick(models, (m) => m.startsWith('gemini'), 'gemini-2.5-flash');
  const openaiFqn = models.find((m) => m.endsWith(`/${gpt}`)) ?? gpt;
  const snippets = [
    {
      id: 'claude',
      title: 'Claude Code',
      note: 'Two variables; the token is a placeholder — the gateway holds the real key.',
      text: `export ANTHROPIC_BASE_URL=${url}\nexport ANTHROPIC_AUTH_TOKEN=tailgate\nclaude --model ${claude}`,
    },
    {
      id: 'codex',
      title: 'Codex',
      note: 'In ~/.codex/config.toml. Codex speaks the Responses API.',
      text: `model = "${gpt}"\nmodel_provider = "tailgate"\n\n[model_providers.tailgate]\nname = "Tailgate"\nbase_url = "${url}/v1"\nwire_api = "responses"`,
    },
    {
      id: 'gemini',
      title: 'Gemini CLI',
      note: 'The key is a placeholder.',
      text: `export GOOGLE_GEMINI_BASE_URL=${url}\nexport GEMINI_API_KEY=tailgate\ngemini --model ${geminiModel}`,
    },
    {
      id: 'opencode',
      title: 'OpenCode',
      note: 'In opencode.json (project) or ~/.config/opencode/opencode.json.',
      text: JSON.stringify(
        {
          $schema: 'https://opencode.ai/config.json',
          provider: {
            tailgate: { npm: '@ai-sdk/openai-compatible', name: 'Tailgate (OpenAI)', options: { baseURL: `${url}/v1`, apiKey: 'tailgate' }, models: { [gpt]: { name: gpt } } },
            'tailgate-anthropic': { npm: '@ai-sdk/anthropic', name: 'Tailgate (Anthropic)', options: { baseURL: `${url}/v1`, apiKey: 'tailgate' }, models: { [claude]: { name: claude } } },
          },
          model: `tailgate-anthropic/${claude}`,
        },
        null,
        2,
      ),
    },
    {
      id: 'curl',
      title: 'curl',
      note: 'Which models may I use? Then one chat call.',
      text: `curl ${url}/v1/models\n\ncurl ${url}/v1/chat/completions \\\n  -H 'content-type: application/json' \\\n  -d '{"model":"${openaiFqn}","messages":[{"role":"user","content":"hi"}]}'`,
    },
  ];
  return (
    <Page title="Connect an agent" subtitle={`Point your agent at ${url}. No provider key on your machine: the gateway knows who you are from the network.`}>
      {models.length === 0 && <p class="notice error">You have no models granted yet. Ask an admin for access.</p>}
      <p>
        You may use {models.length} model{models.length === 1 ? '' : 's'}
        {models.length > 0 ? `: ${models.slice(0, 8).join(', ')}${models.length > 8 ? ', …' : ''}` : ''}.
      </p>
      {snippets.map((snippet) => (
        <section class="panel" key={snippet.id} aria-labelledby={`connect-${snippet.id}`}>
          <h2 id={`connect-${snippet.id}`}>{snippet.title}</h2>
          <p class="muted">{snippet.note}</p>
          <CopyBlock text={snippet.text} label={`${snippet.title} setup`} />
        </section>
      ))}
    </Page>
  );
}
