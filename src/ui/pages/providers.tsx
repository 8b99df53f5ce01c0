import { useEffect, useState } from 'preact/hooks';
import { api, type Whoami } from '../api.ts';
import { Badge, Page, Status } from '../components/common.tsx';
import { SaveMessage } from '../components/problems.tsx';
import { loadConfig, saveConfig, setIn, type ConfigDoc, type Problem } from '../config-doc.ts';

type Provider = {
  id: string;
  name: string;
  description: string;
  baseurl: string;
  authorization: string;
  auth_mode: string;
  compatibility: Record<string, boolean>;
  models: string[];
  preference: number;
  disabled: boolean;
  has_key: boolean;
};

type Form = { id: string; name: string; description: string; baseurl: string; authorization: string; auth_mode: string; compatibility: Record<string, boolean>; models: string; preference: string; disabled: boolean; apikey: string };

const mainFlags = ['openai_chat', 'openai_responses', 'anthropic_messages', 'gemini_generate_content', 'google_generate_content', 'google_raw_predict', 'bedrock_model_invoke', 'bedrock_converse'];

function formOf(provider?: Provider, raw?: Record<string, unknown>): Form {
  return {
    id: provider?.id ?? '',
    name: provider?.name ?? '',
    description: provider?.description ?? '',
    // The text's own value (the API's copy is normalised and has any userinfo removed).
    baseurl: typeof raw?.baseurl === 'string' ? raw.baseurl : (provider?.baseurl ?? ''),
    authorization: provider?.authorization ?? 'bearer',
    auth_mode: provider?.auth_mode ?? 'override',
    compatibility: provider?.compatibility ?? { openai_chat: true },
    models: (provider?.models ?? []).join('\n'),
    preference: String(provider?.preference ?? 0),
    disabled: provider?.disabled ?? false,
    apikey: '',
  };
}

/** The provider edit applied to the config text: only the fields the form owns change. */
function applyForm(text: string, form: Form, isNew: boolean): string {
  const at = (key: string) => ['providers', form.id, key];
  let next = text;
  next = setIn(next, at('baseurl'), form.baseurl.trim());
  next = setIn(next, at('name'), form.name.trim() || undefined);
  next = setIn(next, at('description'), form.description.trim() || undefined);
  next = setIn(next, at('authorization'), form.authorization === 'bearer' ? undefined : form.authorization);
  next = setIn(next, at('auth_mode'), form.auth_mode === 'override' ? undefined : form.auth_mode);
  next = setIn(next, at('compatibility'), Object.fromEntries(Object.entries(form.compatibility).filter(([, on]) => on)));
  next = setIn(
    next,
    at('models'),
    form.models
      .split(/[\n,]/)
      .map((model) => model.trim())
      .filter(Boolean),
  );
  const preference = Number(form.preference);
  next = setIn(next, at('preference'), Number.isFinite(preference) && preference !== 0 ? preference : undefined);
  next = setIn(next, at('disabled'), form.disabled ? true : undefined);
  // Write-only key: blank keeps what is stored (the placeholder stays in the text); typed replaces it.
  if (form.apikey !== '') next = setIn(next, at('apikey'), form.apikey);
  return next;
}

function ProviderForm(props: { form: Form; isNew: boolean; hasKey: boolean; busy: boolean; onSave(form: Form): void; onCancel(): void }) {
  const [form, setForm] = useState(props.form);
  const set = (patch: Partial<Form>) => setForm({ ...form, ...patch });
  const prefix = `provider-${props.isNew ? 'new' : form.id}`;
  return (
    <form
      class="provider-form"
      aria-label={props.isNew ? 'New provider' : `Edit provider ${form.id}`}
      onSubmit={(event) => {
        event.preventDefault();
        props.onSave(form);
      }}
    >
      <div class="form-grid">
        {props.isNew && (
          <label>
            <span>ID (prefix of provider/model names)</span>
            <input required pattern="[A-Za-z0-9_.\-]+" value={form.id} onInput={(e) => set({ id: (e.target as HTMLInputElement).value })} name="id" />
          </label>
        )}
        <label>
          <span>Display name</span>
          <input value={form.name} onInput={(e) => set({ name: (e.target as HTMLInputElement).value })} name="name" />
        </label>
        <label class="wide">
          <span>Base URL</span>
          <input required type="url" value={form.baseurl} onInput={(e) => set({ baseurl: (e.target as HTMLInputElement).value })} name="baseurl" />
        </label>
        <label>
          <span>Authorization header</span>
          <select value={form.authorization} onChange={(e) => set({ authorization: (e.target as HTMLSelectElement).value })} name="authorization">
            <option value="bearer">Authorization: Bearer</option>
            <option value="x-api-key">x-api-key</option>
            <option value="x-goog-api-key">x-goog-api-key</option>
          </select>
        </label>
        <label>
          <span>Auth mode</span>
          <select value={form.auth_mode} onChange={(e) => set({ auth_mode: (e.target as HTMLSelectElement).value })} name="auth_mode">
            <option value="override">override (gateway's key)</option>
            <option value="passthrough">passthrough (caller's key)</option>
            <option value="none">none</option>
          </select>
        </label>
        <label class="wide">
          <span>API key (write-only)</span>
          <input
            type="password"
            autocomplete="new-password"
            value={form.apikey}
            placeholder={props.hasKey ? 'stored — leave blank to keep it' : 'none stored'}
            onInput={(e) => set({ apikey: (e.target as HTMLInputElement).value })}
            name="apikey"
          />
        </label>
        <label>
          <span>Preference (higher wins)</span>
          <input type="number" value={form.preference} onInput={(e) => set({ preference: (e.target as HTMLInputElement).value })} name="preference" />
        </label>
        <label class="check">
          <input type="checkbox" checked={form.disabled} onChange={(e) => set({ disabled: (e.target as HTMLInputElement).checked })} name="disabled" />
          <span>Disabled</span>
        </label>
        <label class="wide">
          <span>Models (one per line)</span>
          <textarea rows={4} value={form.models} onInput={(e) => set({ models: (e.target as HTMLTextAreaElement).value })} name="models" />
        </label>
        <fieldset class="wide">
          <legend>Compatibility (which APIs this provider serves)</legend>
          <div class="checks">
            {mainFlags.map((flag) => (
              <label class="check" key={flag}>
                <input type="checkbox" id={`${prefix}-${flag}`} checked={!!form.compatibility[flag]} onChange={(e) => set({ compatibility: { ...form.compatibility, [flag]: (e.target as HTMLInputElement).checked } })} />
                <span>{flag}</span>
              </label>
            ))}
          </div>
        </fieldset>
        <label class="wide">
          <span>Description</span>
          <input value={form.description} onInput={(e) => set({ description: (e.target as HTMLInputElement).value })} name="description" />
        </label>
      </div>
      <div class="button-row">
        <button type="submit" class="button primary" disabled={props.busy}>
          {props.isNew ? 'Add provider' : 'Save provider'}
        </button>
        <button type="button" class="button link" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function ProvidersPage(_props: { me: Whoami }) {
  const [providers, setProviders] = useState<Provider[]>();
  const [config, setConfig] = useState<ConfigDoc>();
  const [error, setError] = useState<Error>();
  const [editing, setEditing] = useState<string | 'new' | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string; problems?: Problem[] }>();
  const reload = () =>
    Promise.all([api<{ providers: Provider[] }>('/api/providers'), loadConfig()]).then(([list, doc]) => {
      setProviders(list.providers);
      setConfig(doc);
    }, setError);
  useEffect(() => void reload(), []);
  const save = async (text: string, done: string) => {
    if (!config) return;
    setBusy(true);
    setMessage(undefined);
    const result = await saveConfig(text, config.version);
    if (result.ok) {
      setMessage({ ok: true, text: done });
      setEditing(null);
      await reload();
    } else setMessage({ ok: false, text: result.message, problems: result.problems });
    setBusy(false);
  };
  // Providers present in the file but dropped by validation are still in the text; show what the gateway runs.
  return (
    <Page
      title="Providers"
      subtitle="Where calls go and how the gateway authenticates. Keys are write-only: they are never sent to this page."
      actions={
        <button type="button" class="button primary" onClick={() => setEditing('new')} disabled={editing === 'new'}>
          Add provider
        </button>
      }
    >
      <Status loaded={{ loading: !providers && !error, error }} />
      <SaveMessage message={message} />
      {editing === 'new' && config && (
        <section class="panel">
          <h2>New provider</h2>
          <ProviderForm form={formOf()} isNew={true} hasKey={false} busy={busy} onCancel={() => setEditing(null)} onSave={(form) => save(applyForm(config.text, form, true), `Added provider ${form.id}.`)} />
        </section>
      )}
      {providers && config && (
        <div class="table-wrap">
          <table data-testid="providers-table">
            <caption class="visually-hidden">Providers</caption>
            <thead>
              <tr>
                <th scope="col">ID</th>
                <th scope="col">Base URL</th>
                <th scope="col">Auth</th>
                <th scope="col">APIs</th>
                <th scope="col" class="num">
                  Models
                </th>
                <th scope="col" class="num">
                  Preference
                </th>
                <th scope="col">Key</th>
                <th scope="col">State</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {providers.map((provider) => (
                <>
                  <tr key={provider.id}>
                    <th scope="row">
                      {provider.id}
                      {provider.name !== provider.id && <div class="muted">{provider.name}</div>}
                    </th>
                    <td class="url">{provider.baseurl}</td>
                    <td>
                      {provider.authorization}
                      {provider.auth_mode !== 'override' ? ` (${provider.auth_mode})` : ''}
                    </td>
                    <td>
                      <span class="badges">
                        {Object.entries(provider.compatibility)
                          .filter(([, on]) => on)
                          .map(([flag]) => (
                            <Badge key={flag}>{flag}</Badge>
                          ))}
                      </span>
                    </td>
                    <td class="num" title={provider.models.join(', ')}>
                      {provider.models.length}
                    </td>
                    <td class="num">{provider.preference}</td>
                    <td>{provider.has_key ? <Badge tone="ok">stored</Badge> : <Badge tone="muted">none</Badge>}</td>
                    <td>{provider.disabled ? <Badge tone="warn">disabled</Badge> : <Badge tone="ok">enabled</Badge>}</td>
                    <td class="actions">
                      <button type="button" class="button small" onClick={() => setEditing(provider.id)} aria-expanded={editing === provider.id}>
                        Edit<span class="visually-hidden"> {provider.id}</span>
                      </button>
                      <button
                        type="button"
                        class="button small"
                        disabled={busy}
                        onClick={() => save(setIn(config.text, ['providers', provider.id, 'disabled'], provider.disabled ? undefined : true), `${provider.disabled ? 'Enabled' : 'Disabled'} ${provider.id}.`)}
                      >
                        {provider.disabled ? 'Enable' : 'Disable'}
                        <span class="visually-hidden"> {provider.id}</span>
                      </button>
                    </td>
                  </tr>
                  {editing === provider.id && (
                    <tr key={`${provider.id}-edit`}>
                      <td colSpan={9}>
                        <ProviderForm
                          form={formOf(provider, config.doc.providers?.[provider.id])}
                          isNew={false}
                          hasKey={provider.has_key}
                          busy={busy}
                          onCancel={() => setEditing(null)}
                          onSave={(form) => save(applyForm(config.text, form, false), `Saved provider ${form.id}.`)}
                        />
                      </td>
                    </tr>
                  )}
                </>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}
