import type { Problem } from '../config-doc.ts';

export function SaveMessage(props: { message?: { ok: boolean; text: string; problems?: Problem[] } }) {
  if (!props.message) return <div aria-live="polite" />;
  const { ok, text, problems } = props.message;
  return (
    <div class={`notice ${ok ? 'success' : 'error'}`} role={ok ? 'status' : 'alert'} data-testid="save-message">
      <p>{text}</p>
      {problems && problems.length > 0 && (
        <ul class="problems">
          {problems.map((problem, index) => (
            <li key={index}>
              <strong>{problem.severity}</strong>: {problem.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
