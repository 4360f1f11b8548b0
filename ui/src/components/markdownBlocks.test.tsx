// A streaming answer is rendered block by block: at every point of its stream, its blocks
// rendered apart must read exactly as the whole text rendered at once.
import ReactMarkdown from "react-markdown";
import { renderToStaticMarkup } from "react-dom/server";
import remarkGfm from "remark-gfm";
import { describe, expect, it } from "vitest";

import { markdownBlocks } from "./markdownBlocks";

const html = (text: string) =>
  renderToStaticMarkup(<ReactMarkdown remarkPlugins={[remarkGfm]}>{text}</ReactMarkdown>).replace(/>\s+</g, "><");

const ANSWER = `I looked at the parser. **Two things** stand out:

1. The tokenizer allocates a string per token.
2. Errors lose their position.

   The second one matters more: users see "unexpected token" with no line.

3. Nothing is cached.

Here is the fix:

\`\`\`rust
fn next(&mut self) -> Token {

    let start = self.at;
    self.at += 1;
}
\`\`\`

- [ ] write the test
- [x] fix it

* loose one

* loose two
continued lazily

> Quoted advice
> over two lines

> and a second quote

| case | before | after |
|------|-------:|------:|
| small | 3 ms | 1 ms |

Heading
=======

## Next steps
    indented code

    more of it

---
~~~
tilde fence

\`\`\` not a close
~~~
Done. See https://example.com and *emphasis*
across a line.

Steps:

1. one
2. two

Between lists.

- a

- b
-

+ c`;

const ACROSS = `Use the [docs][ref] and a note[^1].

Later text.

[ref]: https://example.com/docs
[^1]: The note.

<!-- a comment

with a blank line -->

End.`;

const UNCLOSED = "Start.\n\n```js\nconst a = 1;\n\nconst b = 2;\n\nmore";

/** The text at every few characters of its stream, and whole. */
function prefixes(text: string): string[] {
  const cuts = [];
  for (let at = 1; at < text.length; at += 5) cuts.push(text.slice(0, at));
  return [...cuts, text];
}

describe("markdownBlocks", () => {
  it("renders the same apart as together at every point of a stream", () => {
    for (const text of [ANSWER, ACROSS, UNCLOSED]) {
      for (const shown of prefixes(text)) {
        const blocks = markdownBlocks(shown);
        expect(blocks.join("\n"), shown).toBe(shown);
        expect(blocks.map(html).join(""), shown).toBe(html(shown));
      }
    }
  });

  it("splits a typical answer into many blocks, so only the last is parsed again", () => {
    const blocks = markdownBlocks(ANSWER);
    expect(blocks.length).toBeGreaterThanOrEqual(14);
    expect(blocks[0]).toBe("I looked at the parser. **Two things** stand out:\n");
    expect(blocks).toContain("```rust\nfn next(&mut self) -> Token {\n\n    let start = self.at;\n    self.at += 1;\n}\n```\n");
    expect(blocks.some((block) => block.includes("* loose one") && block.includes("* loose two"))).toBe(true);
  });

  it("keeps text with definitions, raw HTML or an open fence whole where a split could change it", () => {
    expect(markdownBlocks(ACROSS)).toEqual([ACROSS]);
    expect(markdownBlocks(UNCLOSED)).toEqual(["Start.\n", "```js\nconst a = 1;\n\nconst b = 2;\n\nmore"]);
  });
});
