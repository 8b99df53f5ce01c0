import { useEffect, useState } from 'preact/hooks';
import { api, type Whoami } from '../api.ts';
import { Page, Status, useLoad } from '../components/common.tsx';
import { SaveMessage } from '../components/problems.tsx';
import { loadConfig, saveConfig, type ConfigDoc, type Problem } from '../config-doc.ts';
import { fmtTime, plural } from '../format.ts';

type DiffLine = { op: ' ' | '-' | '+' | '@'; text: string };
type Entry = { id: string; at: number; login: string; action: string; version: string; restoredFrom?: string; diff: DiffLine[] };

function Diff(props: { lines: DiffLine[] }) {
  if (props.lines.length === 0) return <p class="muted">No change in the text.</p>;
  return (
    <pre class="diff" tabIndex={0}>
      {props.lines.map((line, index) => (
        <span class={`diff-line op-${line.op === ' ' ? 'same' : line.op === '+' ? 'add' : line.op === '-' ? 'del' : 'fold'}`} key={index}>
          <span aria-hidden="true">{line.op === '@' ? '' : line.op} </span>
          <span class="visually-hidden">{line.op === '+' ? 'added: ' : line.op === '-' ? 'removed: ' : ''}</span>
          {line.text}
          {'\n'}
        </span>
      ))}
    </pre>
  );
}

export function ConfigPage(_props: { me: Whoami }) {
  const [config, setConfig] = useState<ConfigDoc>();
  const [text, setText] = useState('');
  const [loadError, setLoadError] = useState<Error>();
  const [message, setMessage] = useState<{ ok: boolean; text: string; problems?: Problem[] }>();
  const [busy, setBusy] = useState(false);
  const history = useLoad(() => api<{ items: Entry[] }>('/api/config/history'), config?.version ?? '');
  const reload = () =>
    loadConfig().then(
      (loaded) => {
        setConfig(loaded);
        setText(loaded.text);
      },
      setLoadError,
    );
  useEffect(() => void reload(), []);
  if (!config) {
    return (
      <Page title="Config">
        <Status loaded={{ loading: !loadError, error: loadError }} />
      </Page>
    );
  }
  const dirty = text !== config.text;
  const validate = async () => {
    setBusy(true);
    setMessage(undefined);
    const result = await api<{ valid: boolean; problems: Problem[] }>('/api/config/validate', { method: 'POST', body: { text } }).catch((error: Error) => ({ valid: false, problems: [{ severity: 'error' as const, message: error.message }] }));
    setMessage(result.valid ? { ok: true, text: 'Valid: no errors and no warnings.' } : { ok: false, text: 'Not valid. On save, warnings count as errors.', problems: result.problems });
    setBusy(false);
  };
  const save = async () => {
    setBusy(true);
    setMessage(undefined);
    const result = await saveConfig(text, config.version);
    if (result.ok) {
      setMessage({ ok: true, text: 'Saved. The new config is in effect.' });
      await reload();
    } else {
      setMessage({ ok: false, text: result.conflict ? `${result.message}. Your text is kept below; copy your change, then reload.` : result.message, problems: result.problems });
    }
    setBusy(false);
  };
  const restore = async (entry: Entry) => {
    if (!window.confirm(`Restore the config saved by ${entry.login} at ${fmtTime(entry.at)}?`)) return;
    setBusy(true);
    setMessage(undefined);
    try {
      await api(`/api/config/history/${entry.id}/restore`, { method: 'POST', body: { version: config.version } });
      setMessage({ ok: true, text: `Restored the version of ${fmtTime(entry.at)}.` });
      await reload();
    } catch (error) {
      const body = (error as { body?: { problems?: Problem[] } }).body;
      setMessage({ ok: false, text: (error as Error).message, problems: body?.problems });
    }
    setBusy(false);
  };
  return (
    <Page
      title="Config"
      subtitle={
        <>
          {config.source === 'file' ? (
            <>
              Editing <code>{config.path}</code>.
            </>
          ) : (
            <>
              Running on the built-in default; saving creates <code>{config.path}</code>.
            </>
          )}{' '}
          Secrets show as <code>"{config.placeholder}"</code>: leave that as is to keep a stored key.
        </>
      }
    >
      <div class="editor">
        <label for="config-text">Config (HuJSON: comments and trailing commas allowed)</label>
        <textarea id="config-text" spellcheck={false} value={text} onInput={(event) => setText((event.target as HTMLTextAreaElement).value)} rows={28} data-testid="config-text" />
        <div class="button-row">
          <button type="button" class="button" onClick={validate} disabled={busy}>
            Validate
          </button>
          <button type="button" class="button primary" onClick={save} disabled={busy || !dirty}>
            Save
          </button>
          <button
            type="button"
            class="button link"
            onClick={() => {
              setMessage(undefined);
              void reload();
            }}
            disabled={busy}
          >
            {dirty ? 'Discard changes and reload' : 'Reload'}
          </button>
          <span class="muted">version {config.version.slice(0, 12)}</span>
        </div>
        <SaveMessage message={message} />
      </div>
      <section class="panel" aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        <Status loaded={history} empty={history.data?.items.length === 0} emptyText="No saves yet. The first save also keeps the text it replaced." />
        <ol class="history" data-testid="config-history">
          {history.data?.items.map((entry) => (
            <li key={entry.id}>
              <details>
                <summary>
                  <strong>{entry.action === 'initial' ? 'Before the first save' : entry.action === 'restore' ? 'Restored' : 'Saved'}</strong> by {entry.login} at {fmtTime(entry.at)}
                  <span class="muted"> · {plural(entry.diff.filter((line) => line.op === '+' || line.op === '-').length, 'line')} changed</span>
                </summary>
                <Diff lines={entry.diff} />
                {entry.version !== config.version && (
                  <button type="button" class="button small" onClick={() => restore(entry)} disabled={busy}>
                    Restore this version
                  </button>
                )}
              </details>
            </li>
          ))}
        </ol>
      </section>
    </Page>
  );
}
