// A streaming answer is rendered block by block: at every point of its stream, its blocks
// rendered apart must read exactly as the whole text rendered at once.
import ReactMarkdown from "react-markdown";
import { renderToStaticMarkup } from "react-dom/server";
import remarkGfm from "remark-gfm";
import { describe, expect, it } from "vitest";

import { markdownBlocks } from "./markdownBlocks";

/** The HTML react-markdown makes of `text`; it puts a line break between top-level blocks. */
const html = (text: string) => renderToStaticMarkup(<ReactMarkdown remarkPlugins={[remarkGfm]}>{text}</ReactMarkdown>);
const apart = (blocks: string[]) => blocks.map(html).filter(Boolean).join("\n");

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

/** Texts a simpler splitter read wrongly. */
const TRICKY = [
  "1. Build:\n   ```sh\n   make\n```\n\nThen run it.",
  "- ```\n  x\n  ```\n\n```\ny\n\nz\n```",
  "> ```\n> a\n\nb\n\n```\nc\n\nd",
  "```\r\na\r\n\r\nb\r\n```\r\n",
  "- a\r\n\r\n-\r\n",
  "foo\n\u00a0\nbar",
  "```\ncode\n```\u00a0\n\n# Heading",
  "```js\u2028\ncode\n\nmore\n```",
  "See [docs].\n\n> [docs]: https://example.com",
  "See [a\\]b].\n\n[a\\]b]: https://example.com",
  "See [foo bar].\n\n[foo\nbar]: https://example.com",
  "A note[^1].\n\n- [^1]: In a list.",
  "See [x].\n\n- ```\n  code\n  ```\n\n[x]: https://example.com",
  "<div>\n```\n\nfoo\n```\n\nbar",
  "```\nin code\n  ```\n\nafter",
  "```\nin code\n    ```\n\nstill code\n```",
  "\tindented\n\n\tcode\n\nText",
  "```\na\n  ```\n\nb\n```\nc\n\nd\n```",
  "```\na\n```\r\n\nb\n```\nc\n\nd\n```",
  "```a`b\n\n```\nc\n\nd\n```",
  "See [x].\n\nMore.\n\n- ```\n  code\n  ```\n\n[x]: https://example.com",
  "````\na\n```\n\nb\n````\n\nc",
  "```\na\n~~~\n\nb\n```\n\nc",
  "\uFEFF```\na\n\nb\n```",
  "\uFEFF<!--\n\nfoo\n\n-->",
];

/** The text at every point of its stream. */
const prefixes = (text: string) => Array.from(text, (_, at) => text.slice(0, at + 1));

/** Many small texts made of lines that mean different things in different places. */
function generated(count: number): string[] {
  const LINES = ["text", "- item", "* star", "1. one", "2) two", "  indented", "    code", "```", "~~~~", "  ```", "- ```", "> quote", "> ```", "---", "===", "| a | b |", "|---|---|", "# head", "", "", "\t tab", "[x]: /u", "see [x]", "<br>", "a@b.co", "-"];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) % LINES.length;
  return Array.from({ length: count }, () => Array.from({ length: 9 }, () => LINES[next()]).join("\n"));
}

describe("markdownBlocks", () => {
  it("renders the same apart as together at every point of a stream", () => {
    for (const text of [ANSWER, ACROSS, UNCLOSED, ...TRICKY]) {
      for (const shown of prefixes(text)) {
        const blocks = markdownBlocks(shown);
        expect(blocks.join("\n"), shown).toBe(shown);
        expect(apart(blocks), JSON.stringify(shown)).toBe(html(shown));
      }
    }
  });

  it("renders the same apart as together for texts made of lines at random", () => {
    for (const text of generated(2000)) {
      const blocks = markdownBlocks(text);
      expect(blocks.join("\n"), text).toBe(text);
      expect(apart(blocks), JSON.stringify(text)).toBe(html(text));
    }
  });

  it("splits a typical answer into many blocks, so only the last is parsed again", () => {
    const blocks = markdownBlocks(ANSWER);
    expect(blocks.length).toBeGreaterThanOrEqual(11);
    expect(blocks[0]).toMatch(/^I looked at the parser\. .*\n3\. Nothing is cached\.\n$/s);
    expect(blocks[1]).toBe("Here is the fix:\n");
    expect(blocks.some((block) => block.startsWith("```rust\nfn next(&mut self) -> Token {\n\n    let start"))).toBe(true);
    expect(blocks.some((block) => block.includes("* loose one") && block.includes("* loose two"))).toBe(true);
  });

  it("keeps text with definitions, raw HTML or an open fence whole where a split could change it", () => {
    expect(markdownBlocks(ACROSS)).toEqual([ACROSS]);
    expect(markdownBlocks(UNCLOSED)).toEqual(["Start.\n", "```js\nconst a = 1;\n\nconst b = 2;\n\nmore"]);
  });
});
