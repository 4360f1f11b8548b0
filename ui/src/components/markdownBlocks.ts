// Where model text splits into blocks that render the same apart as together, so a streaming
// answer parses only its growing last block again, not everything above it.
//
// A split falls at a blank line outside fenced code, before a line at the margin, unless that
// line is a list item and a list above could take it in (a loose list). Indented lines may
// continue a list item or indented code, so they never start a block. Text whose meaning reaches
// across blocks (link reference and footnote definitions, raw HTML blocks that may hold blank
// lines) is not split.

/** A fence's opening or closing line: up to 3 spaces, then 3 or more backticks or tildes. */
const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;
/** Definitions whose use may sit in another block, and HTML blocks that may span blank lines. */
const ACROSS_BLOCKS = /^ {0,3}(\[[^\]\n]+\]:|<)/m;
/** A list item's first line, which a list above a blank line takes in. */
const LIST_ITEM = /^ {0,3}(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)/;

/** `text` cut into blocks at line ends; joined with newlines, they are `text` again. */
export function markdownBlocks(text: string): string[] {
  if (ACROSS_BLOCKS.test(text)) return [text];
  const lines = text.split("\n");
  const blocks: string[] = [];
  let start = 0;
  let fence: string | null = null;
  let blankBefore = false;
  let list = false;
  for (const [at, line] of lines.entries()) {
    const item = LIST_ITEM.test(line);
    const [, marks = "", after = ""] = FENCE.exec(line) ?? [];
    if (fence === null && blankBefore && at > start && /^\S/.test(line) && !(list && item)) {
      blocks.push(lines.slice(start, at).join("\n"));
      start = at;
      list = false;
    }
    if (fence === null) {
      list ||= item;
      // An opening backtick fence's info string holds no backtick.
      if (marks && !(marks.startsWith("`") && after.includes("`"))) fence = marks;
    } else if (marks.startsWith(fence[0] ?? "") && marks.length >= fence.length && after.trim() === "") {
      fence = null;
    }
    blankBefore = line.trim() === "";
  }
  blocks.push(lines.slice(start).join("\n"));
  return blocks;
}
