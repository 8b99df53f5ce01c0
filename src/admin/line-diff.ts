/**
 * A unified-style line diff (LCS) for the config history: `' '` context, `'-'` removed, `'+'` added,
 * with unchanged runs longer than 2 × `context` folded into a `'@'` marker line. Configs are a few
 * hundred lines; beyond `maxCells` the whole text is shown as replaced rather than spending seconds.
 */
export type DiffLine = { op: ' ' | '-' | '+' | '@'; text: string };

export function lineDiff(before: string, after: string, context = 3, maxCells = 4_000_000): DiffLine[] {
  const a = before === '' ? [] : before.split('\n');
  const b = after === '' ? [] : after.split('\n');
  let lines: DiffLine[];
  if (a.length * b.length > maxCells) {
    lines = [...a.map((text) => ({ op: '-' as const, text })), ...b.map((text) => ({ op: '+' as const, text }))];
  } else {
    // lcs[i][j] = length of the LCS of a[i..] and b[j..]
    const width = b.length + 1;
    const lcs = new Uint32Array((a.length + 1) * width);
    for (let i = a.length - 1; i >= 0; i--) {
      for (let j = b.length - 1; j >= 0; j--) {
        lcs[i * width + j] = a[i] === b[j] ? lcs[(i + 1) * width + j + 1] + 1 : Math.max(lcs[(i + 1) * width + j], lcs[i * width + j + 1]);
      }
    }
    lines = [];
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      if (i < a.length && j < b.length && a[i] === b[j]) {
        lines.push({ op: ' ', text: a[i] });
        i++;
        j++;
      } else if (i < a.length && (j === b.length || lcs[(i + 1) * width + j] >= lcs[i * width + j + 1])) {
        lines.push({ op: '-', text: a[i++] }); // removals before additions, as diff -u prints them
      } else {
        lines.push({ op: '+', text: b[j++] });
      }
    }
  }
  return fold(lines, context);
}

function fold(lines: DiffLine[], context: number): DiffLine[] {
  const changed = lines.map((line) => line.op !== ' ');
  const keep = lines.map((_, index) => {
    for (let k = Math.max(0, index - context); k <= Math.min(lines.length - 1, index + context); k++) if (changed[k]) return true;
    return false;
  });
  const out: DiffLine[] = [];
  let skipped = 0;
  lines.forEach((line, index) => {
    if (keep[index]) {
      if (skipped > 0) out.push({ op: '@', text: `… ${skipped} unchanged line${skipped === 1 ? '' : 's'}` });
      skipped = 0;
      out.push(line);
    } else skipped++;
  });
  if (skipped > 0 && out.length > 0) out.push({ op: '@', text: `… ${skipped} unchanged line${skipped === 1 ? '' : 's'}` });
  return out;
}
