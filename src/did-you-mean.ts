/**
 * "Did you mean …?" for typed words. Distances are Levenshtein distances that also count swapping
 * two neighbouring letters as one edit (optimal string alignment), because `stauts` is one slip
 * of the fingers away from `status`, not two. Comparison is case-insensitive and by code point.
 */

/** Edits allowed by default: one for short words (≤ 4 letters), where two edits reach almost anything. */
export function defaultMaxDistance(word: string): number {
  return Array.from(word).length <= 4 ? 1 : 2;
}

export function editDistance(a: string, b: string): number {
  return distance(Array.from(a.toLowerCase()), Array.from(b.toLowerCase()));
}

/**
 * The candidates nearest to `word`, at most `maxDistance` edits away; several when they tie,
 * in the order given, none when nothing is close enough.
 */
export function closest(word: string, candidates: readonly string[], maxDistance = defaultMaxDistance(word)): string[] {
  const target = Array.from(word.toLowerCase());
  let best = maxDistance;
  let found: string[] = [];
  for (const candidate of new Set(candidates)) {
    const chars = Array.from(candidate.toLowerCase());
    if (Math.abs(chars.length - target.length) > best) continue;
    const d = distance(target, chars);
    if (d > best) continue;
    if (d < best) found = [];
    best = d;
    found.push(candidate);
  }
  return found;
}

function distance(a: readonly string[], b: readonly string[]): number {
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      const swapped = i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1];
      if (swapped) d = Math.min(d, (before[j - 2] ?? 0) + 1);
      row.push(d);
    }
    before = previous;
    previous = row;
  }
  return previous[b.length] ?? 0;
}
