import { useEffect, useMemo, useState } from 'preact/hooks';
import { globMatch } from '../../routing/glob.ts';
import { api, type Whoami } from '../api.ts';
import { Badge, Page, Status } from '../components/common.tsx';
import { SaveMessage } from '../components/problems.tsx';
import { loadConfig, saveConfig, setIn, type ConfigDoc, type Problem } from '../config-doc.ts';

const CAP = 'tailscale.com/cap/aperture';

type Entry = Record<string, unknown>;
/** One grant as the editor holds it; whatever the editor does not own is carried through untouched. */
type GrantEdit = { key: number; src: string; role: '' | 'user' | 'admin'; models: string[]; rest: Entry[]; app: Record<string, unknown>; extra: Record<string, unknown> };

let nextKey = 1;

function list(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function toEdit(raw: unknown): GrantEdit {
  const grant = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const { src, app, ...extra } = grant;
  const apps = (typeof app === 'object' && app !== null ? app : {}) as Record<string, unknown>;
  const entries = (Array.isArray(apps[CAP]) ? apps[CAP] : []) as Entry[];
  let role: GrantEdit['role'] = '';
  const models: string[] = [];
  const rest: Entry[] = [];
  for (const entry of entries) {
    const keys = typeof entry === 'object' && entry !== null ? Object.keys(entry) : [];
    if (keys.length > 0 && keys.every((key) => key === 'role' || key === 'models')) {
      if (entry.role === 'admin' || (entry.role === 'user' && role === '')) role = entry.role;
      models.push(...list(entry.models));
    } else rest.push(entry);
  }
  const { [CAP]: _ours, ...otherApps } = apps;
  return { key: nextKey++, src: list(src).join(', '), role, models, rest, app: otherApps, extra };
}

function fromEdit(edit: GrantEdit): Record<string, unknown> {
  const entries: Entry[] = [];
  if (edit.role) entries.push({ role: edit.role });
  if (edit.models.length > 0) entries.push({ models: edit.models.length === 1 ? edit.models[0] : edit.models });
  entries.push(...edit.rest);
  const src = edit.src
    .split(/[,\s]+/)
    .map((item) => item.trim())
    .filter(Boolean);
  return { ...edit.extra, src, app: { ...edit.app, [CAP]: entries } };
}

type Model = { id: string; provider: string; model: string };

function ModelPicker(props: { grantIndex: number; models: string[]; catalog: Model[]; onChange(models: string[]): void }) {
  const [glob, setGlob] = useState('');
  const providers = [...new Set(props.catalog.map((model) => model.provider))];
  const preview = useMemo(() => (glob.trim() ? props.catalog.filter((model) => globMatch(glob.trim(), model.id)) : []), [glob, props.catalog]);
  const add = (pattern: string) => {
    if (pattern && !props.models.includes(pattern)) props.onChange([...props.models, pattern]);
  };
  const id = `grant-${props.grantIndex}`;
  return (
    <fieldset class="model-picker">
      <legend>Models</legend>
      <ul class="chips" aria-label="Model patterns of this grant">
        {props.models.length === 0 && <li class="muted">No models: this grant gives none.</li>}
        {props.models.map((pattern) => {
          const count = props.catalog.filter((model) => globMatch(pattern, model.id)).length;
          return (
            <li class="chip" key={pattern}>
              <code>{pattern}</code> <span class="muted">({count} model{count === 1 ? '' : 's'})</span>
              <button type="button" class="chip-remove" onClick={() => props.onChange(props.models.filter((item) => item !== pattern))} aria-label={`Remove ${pattern}`}>
                ×
              </button>
            </li>
          );
        })}
      </ul>
      <div class="picker-row">
        <label>
          <span>Pick a configured model</span>
          <select
            id={`${id}-pick`}
            value=""
            onChange={(event) => {
              add((event.target as HTMLSelectElement).value);
              (event.target as HTMLSelectElement).value = '';
            }}
          >
            <option value="">Choose…</option>
            <option value="**">** (every model)</option>
            {providers.map((provider) => (
              <optgroup label={provider} key={provider}>
                <option value={`${provider}/**`}>{provider}/** (all of {provider})</option>
                {props.catalog
                  .filter((model) => model.provider === provider)
                  .map((model) => (
                    <option value={model.id} key={model.id}>
                      {model.id}
                    </option>
                  ))}
              </optgroup>
            ))}
          </select>
        </label>
        <label>
          <span>…or a glob</span>
          <input id={`${id}-glob`} value={glob} placeholder="e.g. anthropic/claude-*" onInput={(event) => setGlob((event.target as HTMLInputElement).value)} aria-describedby={`${id}-preview`} />
        </label>
        <button
          type="button"
          class="button small"
          disabled={!glob.trim()}
          onClick={() => {
            add(glob.trim());
            setGlob('');
          }}
        >
          Add glob
        </button>
      </div>
      <p id={`${id}-preview`} class="preview" aria-live="polite" data-testid={`glob-preview-${props.grantIndex}`}>
        {glob.trim() ? (preview.length ? `Matches ${preview.length}: ${preview.map((model) => model.id).join(', ')}` : 'Matches no configured model.') : ''}
      </p>
    </fieldset>
  );
}

export function AccessPage(props: { me: Whoami }) {
  const [config, setConfig] = useState<ConfigDoc>();
  const [grants, setGrants] = useState<GrantEdit[]>([]);
  const [catalog, setCatalog] = useState<Model[]>([]);
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string; problems?: Problem[] }>();
  const [who, setWho] = useState('');
  const [check, setCheck] = useState<{ who: string; role: string | null; models: string[]; matched_grants: number[] } | { error: string }>();
  const reload = () =>
    Promise.all([loadConfig(), api<{ models: Model[] }>('/api/models')]).then(([doc, models]) => {
      setConfig(doc);
      setGrants((Array.isArray(doc.doc.grants) ? doc.doc.grants : []).map(toEdit));
      setCatalog(models.models);
    }, setError);
  useEffect(() => void reload(), []);
  const update = (index: number, patch: Partial<GrantEdit>) => setGrants(grants.map((grant, i) => (i === index ? { ...grant, ...patch } : grant)));
  const serialized = grants.map(fromEdit);
  const dirty = config ? JSON.stringify(serialized) !== JSON.stringify((Array.isArray(config.doc.grants) ? config.doc.grants : []).map((g: unknown) => fromEdit(toEdit(g)))) : false;
  const save = async () => {
    if (!config) return;
    setBusy(true);
    setMessage(undefined);
    const result = await saveConfig(setIn(config.text, ['grants'], serialized), config.version);
    if (result.ok) {
      setMessage({ ok: true, text: 'Grants saved. They apply to the next call.' });
      await reload();
    } else setMessage({ ok: false, text: result.message, problems: result.problems });
    setBusy(false);
  };
  const runCheck = async () => {
    if (!who.trim()) return;
    try {
      setCheck(await api('/api/access/check', { method: 'POST', body: { who: who.trim(), grants: serialized } }));
    } catch (failure) {
      setCheck({ error: (failure as Error).message });
    }
  };
  const tempGrants = Array.isArray(config?.doc.temp_grants) ? config!.doc.temp_grants.length : 0;
  return (
    <Page title="Access" subtitle="Grants are additive and deny by default: a caller gets the highest role and every model pattern of each grant that names them.">
      <Status loaded={{ loading: !config && !error, error }} />
      {config && (
        <>
          <section class="panel" aria-labelledby="check-title">
            <h2 id="check-title">What can someone use?</h2>
            <form
              class="picker-row"
              onSubmit={(event) => {
                event.preventDefault();
                void runCheck();
              }}
            >
              <label>
                <span>Login, tag:… or (loopback)</span>
                <input value={who} onInput={(event) => setWho((event.target as HTMLInputElement).value)} placeholder={props.me.login} name="who" />
              </label>
              <button type="submit" class="button">
                Check
              </button>
              <span class="muted">uses the grants below, including unsaved changes</span>
            </form>
            <div aria-live="polite" data-testid="access-check">
              {check &&
                ('error' in check ? (
                  <p class="notice error">{check.error}</p>
                ) : (
                  <div class="check-result">
                    <p>
                      <strong>{check.who}</strong>: role <Badge tone={check.role ? 'ok' : 'bad'}>{check.role ?? 'none (no access)'}</Badge>, {check.models.length} model
                      {check.models.length === 1 ? '' : 's'}
                      {check.matched_grants.length ? ` (from grant ${check.matched_grants.map((i) => `#${i + 1}`).join(', ')})` : ' (no grant names them)'}
                    </p>
                    {check.models.length > 0 && (
                      <ul class="chips">
                        {check.models.map((model) => (
                          <li class="chip" key={model}>
                            <code>{model}</code>
                          </li>
                        ))}
                      </ul>
                    )}
                  </div>
                ))}
            </div>
          </section>
          {tempGrants > 0 && <p class="notice">This config also has {tempGrants} deprecated temp_grants; edit them on the Config page.</p>}
          <ol class="grants" data-testid="grants">
            {grants.map((grant, index) => (
              <li class="panel grant" key={grant.key} aria-labelledby={`grant-${index}-title`}>
                <div class="grant-head">
                  <h2 id={`grant-${index}-title`}>Grant #{index + 1}</h2>
                  <button type="button" class="button small danger" onClick={() => setGrants(grants.filter((_, i) => i !== index))}>
                    Remove<span class="visually-hidden"> grant #{index + 1}</span>
                  </button>
                </div>
                <div class="form-grid">
                  <label class="wide">
                    <span>Who (logins, group:…, tag:…, * for everyone, (loopback)); comma-separated</span>
                    <input value={grant.src} onInput={(event) => update(index, { src: (event.target as HTMLInputElement).value })} name={`src-${index}`} />
                  </label>
                  <label>
                    <span>Role</span>
                    <select value={grant.role} onChange={(event) => update(index, { role: (event.target as HTMLSelectElement).value as GrantEdit['role'] })} name={`role-${index}`}>
                      <option value="">no role from this grant</option>
                      <option value="user">user (own data)</option>
                      <option value="admin">admin (everything)</option>
                    </select>
                  </label>
                </div>
                <ModelPicker grantIndex={index} models={grant.models} catalog={catalog} onChange={(models) => update(index, { models })} />
                {(grant.rest.length > 0 || Object.keys(grant.app).length > 0) && (
                  <details>
                    <summary>Other capabilities (kept as they are; edit on the Config page)</summary>
                    <pre>{JSON.stringify({ entries: grant.rest, other: grant.app }, null, 2)}</pre>
                  </details>
                )}
              </li>
            ))}
          </ol>
          <div class="button-row sticky">
            <button type="button" class="button" onClick={() => setGrants([...grants, { key: nextKey++, src: '', role: 'user', models: [], rest: [], app: {}, extra: {} }])}>
              Add grant
            </button>
            <button type="button" class="button primary" onClick={save} disabled={busy || !dirty}>
              Save grants
            </button>
            <button
              type="button"
              class="button link"
              onClick={() => {
                setMessage(undefined);
                void reload();
              }}
              disabled={!dirty || busy}
            >
              Discard changes
            </button>
          </div>
          <SaveMessage message={message} />
        </>
      )}
    </Page>
  );
}
