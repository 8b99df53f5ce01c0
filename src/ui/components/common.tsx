import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { onLinkClick } from '../router.ts';

export function Link(props: JSX.HTMLAttributes<HTMLAnchorElement> & { href: string }) {
  return <a {...props} onClick={onLinkClick} />;
}

export type Loaded<T> = { data?: T; error?: Error & { status?: number }; loading: boolean; reload(): void };

/** Loads `load()` whenever `key` changes; a stale answer never overwrites a newer one. */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const ticket = ++latest.current;
    setState((previous) => ({ data: previous.data, loading: true }));
    load().then(
      (data) => ticket === latest.current && setState({ data, loading: false }),
      (error: Error) => ticket === latest.current && setState({ error, loading: false }),
    );
  }, [key, tick]);
  return { ...state, reload: () => setTick((value) => value + 1) };
}

export function Page(props: { title: string; actions?: ComponentChildren; children: ComponentChildren; subtitle?: ComponentChildren }) {
  useEffect(() => {
    document.title = `${props.title} · Tailgate`;
  }, [props.title]);
  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-head">
        <div>
          <h1 id="page-title" tabIndex={-1}>
            {props.title}
          </h1>
          {props.subtitle && <p class="subtitle">{props.subtitle}</p>}
        </div>
        {props.actions && <div class="page-actions">{props.actions}</div>}
      </header>
      {props.children}
    </section>
  );
}

export function Status(props: { loaded: { loading: boolean; error?: Error & { status?: number } }; empty?: boolean; emptyText?: string }) {
  if (props.loaded.error) {
    return (
      <p class="notice error" role="alert">
        {props.loaded.error.message}
      </p>
    );
  }
  if (props.loaded.loading) return <p class="notice" aria-live="polite">Loading…</p>;
  if (props.empty) return <p class="notice">{props.emptyText ?? 'Nothing in this range.'}</p>;
  return null;
}

export function Card(props: { label: string; value: ComponentChildren; detail?: ComponentChildren; testId?: string }) {
  return (
    <div class="card" data-testid={props.testId}>
      <div class="card-label">{props.label}</div>
      <div class="card-value">{props.value}</div>
      {props.detail && <div class="card-detail">{props.detail}</div>}
    </div>
  );
}

export function CopyBlock(props: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  const ref = useRef<HTMLPreElement>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text);
    } catch {
      // Without clipboard permission: select the text so Ctrl+C copies it.
      const range = document.createRange();
      if (ref.current) range.selectNodeContents(ref.current);
      const selection = window.getSelection();
      selection?.removeAllRanges();
      selection?.addRange(range);
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <div class="copy-block">
      <pre ref={ref} aria-label={props.label} tabIndex={0}>
        <code>{props.text}</code>
      </pre>
      <button type="button" class="button small" onClick={copy}>
        {copied ? 'Copied' : 'Copy'}
        <span class="visually-hidden"> {props.label}</span>
      </button>
      <span class="visually-hidden" aria-live="polite">
        {copied ? 'Copied to clipboard' : ''}
      </span>
    </div>
  );
}

export function Tabs<T extends string>(props: { label: string; value: T; options: { value: T; label: string }[]; onChange(value: T): void }) {
  return (
    <div class="segmented" role="radiogroup" aria-label={props.label}>
      {props.options.map((option) => (
        <button
          type="button"
          role="radio"
          aria-checked={option.value === props.value}
          class={option.value === props.value ? 'active' : ''}
          onClick={() => props.onChange(option.value)}
          key={option.value}
        >
          {option.label}
        </button>
      ))}
    </div>
  );
}

export function Badge(props: { children: ComponentChildren; tone?: 'ok' | 'warn' | 'bad' | 'muted' }) {
  return <span class={`badge ${props.tone ?? ''}`}>{props.children}</span>;
}

export function outcomeTone(outcome: string): 'ok' | 'warn' | 'bad' {
  return outcome === 'ok' ? 'ok' : outcome === 'aborted' || outcome === 'denied' || outcome === 'client_error' ? 'warn' : 'bad';
}
