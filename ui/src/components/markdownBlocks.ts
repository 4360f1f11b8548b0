// Where model text splits into blocks that render the same apart as together, so a streaming
// answer parses only its growing last block again, not everything above it.
//
// A split falls at a blank line outside fenced code, before a line at the margin that is not a
// list item: an item may continue a loose list above, and whether one may start a list there
// depends on what is above (the parser reads an empty one or one not numbered 1 after indented
// code as text). Indented lines may continue a list item or indented code, so they never start
// a block. Where the splitter could misread the text, it does not split: text with carriage
// returns or a byte order mark, link reference or footnote definitions (used from any block),
// or HTML outside code (whose blocks may hold blank lines or a fence) stays whole, and after a
// fence in a list item or a quote (where the closing line's indent decides where it ends) the
// rest stays one block.

/** A fence opened at the margin: 3 or more backticks or tildes, then its info string. */
const OPENS_FENCE = /^(`{3,}|~{3,})([^\n]*)$/;
/** A fence's closing line for a fence opened at the margin: up to 3 spaces first. */
const CLOSES_FENCE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;
/** A fence anywhere else: indented, or in a list item or a quote. */
const NESTED_FENCE = /^[ \t>]*(?:(?:[-+*]|\d{1,9}[.)])[ \t>]*)*(?:`{3}|~{3})/;
/** A line outside code that may reach across blocks: a definition, or HTML. */
const ACROSS_BLOCKS = /\]:|^ {0,3}</;
/** A list item's first line. */
const LIST_ITEM = /^ {0,3}(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)/;
/** Markdown's blank line: spaces and tabs only. */
const BLANK = /^[ \t]*$/;

/** `text` cut into blocks at line ends; joined with newlines, they are `text` again. */
export function markdownBlocks(text: string): string[] {
  // The parser drops a byte order mark before the first line, where the splitter would not.
  if (text.includes("\r") || text.startsWith("\uFEFF")) return [text];
  const lines = text.split("\n");
  const blocks: string[] = [];
  let start = 0;
  let fence: string | null = null;
  let blankBefore = false;
  for (const [at, line] of lines.entries()) {
    if (fence === null) {
      if (ACROSS_BLOCKS.test(line)) return [text];
      const opens = OPENS_FENCE.exec(line);
      if (!opens && NESTED_FENCE.test(line)) {
        // The rest is one block, and a definition in it may serve the blocks above.
        const rest = lines.slice(start).join("\n");
        return rest.includes("]:") ? [text] : [...blocks, rest];
      }
      if (blankBefore && at > start && /^\S/.test(line) && !LIST_ITEM.test(line)) {
        blocks.push(lines.slice(start, at).join("\n"));
        start = at;
      }
      const [, marks = "", info = ""] = opens ?? [];
      // A backtick fence's info string holds no backtick (else the line is no fence).
      if (marks && !(marks.startsWith("`") && info.includes("`"))) fence = marks;
    } else {
      const [, marks = ""] = CLOSES_FENCE.exec(line) ?? [];
      if (marks.startsWith(fence.charAt(0)) && marks.length >= fence.length) fence = null;
    }
    blankBefore = BLANK.test(line);
  }
  blocks.push(lines.slice(start).join("\n"));
  return blocks;
}
