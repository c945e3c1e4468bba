/** A word of either text, marked: `same` in both, `removed` only in the first, `added` only in the second. */
export interface DiffWord {
  word: string;
  op: 'same' | 'removed' | 'added';
}

/** Case and surrounding punctuation do not make a word different. */
function key(word: string): string {
  return word.toLowerCase().replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
}

const MAX_CELLS = 4_000_000;

/** Word-level difference (longest common subsequence) of two transcripts. */
export function diffWords(a: string, b: string): DiffWord[] {
  const A = a.split(/\s+/).filter(Boolean);
  const B = b.split(/\s+/).filter(Boolean);
  if (A.length * B.length > MAX_CELLS) {
    // Too long to align word by word in the panel: mark the whole texts.
    return [...A.map((word) => ({ word, op: 'removed' as const })), ...B.map((word) => ({ word, op: 'added' as const }))];
  }
  const ka = A.map(key);
  const kb = B.map(key);
  const n = A.length;
  const m = B.length;
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = ka[i] === kb[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out: DiffWord[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (ka[i] === kb[j]) {
      out.push({ word: B[j], op: 'same' });
      i++;
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) out.push({ word: A[i++], op: 'removed' });
    else out.push({ word: B[j++], op: 'added' });
  }
  while (i < n) out.push({ word: A[i++], op: 'removed' });
  while (j < m) out.push({ word: B[j++], op: 'added' });
  return out;
}

export function hasDifferences(diff: readonly DiffWord[]): boolean {
  return diff.some((d) => d.op !== 'same');
}
