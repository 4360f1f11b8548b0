// Model output is untrusted: markdown renders, nothing in it runs or loads.
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";

import { Markdown } from "./Markdown";

const render = (text: string) => renderToStaticMarkup(<Markdown id={text} text={text} />);

describe("Markdown", () => {
  it("renders markdown and highlights code by language", () => {
    const html = render("# Plan\n\n- **one**\n- `two`\n\n```rust\nfn main() {}\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |");
    expect(html).toContain("<h1>Plan</h1>");
    expect(html).toContain("<strong>one</strong>");
    expect(html).toContain('<code class="hljs language-rust">');
    expect(html).toContain('<span class="hljs-keyword">fn</span>');
    expect(html).toContain("<table>");
  });

  it("leaves code in other languages, or none, plain", () => {
    const html = render("```haskell\nmain = pure ()\n```\n\n```\nfn main() {}\n```");
    expect(html).toContain('<code class="language-haskell">main = pure ()');
    expect(html).toContain("<code>fn main() {}");
    expect(html).not.toContain("hljs");
  });

  it("shows raw HTML as text and drops dangerous links and remote images", () => {
    const html = render('<script>alert(1)</script> <img src=x onerror=alert(2)>\n\n[click](javascript:alert(3)) [ok](https://example.com) ![pixel](https://tracker.example/p.png)');
    expect(html).not.toMatch(/<script|<img|<[^>]*onerror|href="javascript/i);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain('href="https://example.com"');
    expect(html).toContain('rel="noopener noreferrer nofollow"');
    expect(html).toContain("[image: pixel]");
    expect(html).not.toContain("tracker.example");
  });

  it("reads a last line as markdown wherever it might be syntax, and plain prose as a paragraph", () => {
    const last = (line: string) => render(`Above.\n\n${line}`).replace(/^<div class="markdown"><p>Above.<\/p>/, "");
    expect(last("---")).toContain("<hr/>");
    expect(last("- - -")).toContain("<hr/>");
    expect(last("-")).toContain("<ul>");
    expect(last("2)")).toContain("<ol");
    expect(last("Write to support@example.com")).toContain('href="mailto:support@example.com"');
    expect(render("\tindented")).toContain("<pre>");
    expect(last("See Www.example.com.")).toContain('href="http://Www.example.com"');
    expect(render("a\r---")).toContain("<h2>a</h2>");
    expect(render(" ")).toBe('<div class="markdown"></div>');
    expect(last("Plain words, nothing more.")).toBe("<p>Plain words, nothing more.</p></div>");
  });

  it("renders each step of a streamed answer, its kept blocks reused, as it renders that text afresh", () => {
    const answer = "Intro.\n\n```sh\nmake\n\nmake test\n```\n\nThen **this**.\n\n---\n\nDone: a@b.co";
    for (let at = 1; at <= answer.length; at++) {
      const shown = answer.slice(0, at);
      const streamed = renderToStaticMarkup(<Markdown id="streamed" text={shown} />);
      expect(streamed.replace(/>\s+</g, "><"), shown).toBe(render(shown).replace(/>\s+</g, "><"));
    }
  });
});
