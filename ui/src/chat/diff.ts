// Line diffs of the edits a tool makes: the longest common subsequence of lines (bounded,
// so a huge file degrades to "all removed, all added" instead of freezing a phone), with
// unchanged runs folded down to a little context.

export type DiffLine =
  | { kind: "same" | "added" | "removed"; text: string }
  | { kind: "folded"; count: number };

/** Past this many table cells the diff is not worth its time. */
const MAX_CELLS = 1_000_000;
/** Unchanged lines kept on each side of a change. */
export const CONTEXT = 3;

export function diffLines(before: string, after: string): DiffLine[] {
  const a = lines(before);
  const b = lines(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const same = (text: string): DiffLine => ({ kind: "same", text });
  return fold([...a.slice(0, start).map(same), ...middle(a.slice(start, endA), b.slice(start, endB)), ...a.slice(endA).map(same)]);
}

function lines(text: string): string[] {
  if (text === "") return [];
  const split = text.split("\n");
  return split.at(-1) === "" ? split.slice(0, -1) : split;
}

/** The changed middle, by a longest-common-subsequence table. */
function middle(a: string[], b: string[]): DiffLine[] {
  const removed = a.map((text): DiffLine => ({ kind: "removed", text }));
  const added = b.map((text): DiffLine => ({ kind: "added", text }));
  if (a.length === 0 || b.length === 0 || (a.length + 1) * (b.length + 1) > MAX_CELLS) return [...removed, ...added];
  const width = b.length + 1;
  const table = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      table[i * width + j] = a[i] === b[j] ? table[(i + 1) * width + j + 1]! + 1 : Math.max(table[(i + 1) * width + j]!, table[i * width + j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push({ kind: "same", text: a[i]! });
      i++;
      j++;
    } else if (table[(i + 1) * width + j]! >= table[i * width + j + 1]!) {
      out.push(removed[i++]!);
    } else {
      out.push(added[j++]!);
    }
  }
  return [...out, ...removed.slice(i), ...added.slice(j)];
}

/** Folds unchanged runs longer than the context around them. */
function fold(diff: DiffLine[]): DiffLine[] {
  const out: DiffLine[] = [];
  let index = 0;
  while (index < diff.length) {
    if (diff[index]!.kind !== "same") {
      out.push(diff[index++]!);
      continue;
    }
    let end = index;
    while (end < diff.length && diff[end]!.kind === "same") end++;
    const keepBefore = index === 0 ? 0 : CONTEXT;
    const keepAfter = end === diff.length ? 0 : CONTEXT;
    const run = end - index;
    if (run > keepBefore + keepAfter + 1) {
      out.push(...diff.slice(index, index + keepBefore));
      out.push({ kind: "folded", count: run - keepBefore - keepAfter });
      out.push(...diff.slice(end - keepAfter, end));
    } else {
      out.push(...diff.slice(index, end));
    }
    index = end;
  }
  return out;
}
