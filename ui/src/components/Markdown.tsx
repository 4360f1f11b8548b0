// Model text as markdown, safely: no raw HTML (it shows as text), only http(s) and mailto
// links (opened apart from the app, without referrer), no remote images (their alt text
// instead), and code blocks highlighted by language (./highlight), each with a copy button.
// A text renders block by block (./markdownBlocks), and what a block renders to is kept for
// the blocks shown last: a streaming answer parses only its growing block again, a part
// scrolled back into view nothing, and one plain line of prose skips the parser.
import { toText } from "hast-util-to-text";
import { Fragment, type ReactElement } from "react";
import ReactMarkdown, { type Components, defaultUrlTransform } from "react-markdown";
import remarkGfm from "remark-gfm";

import { CopyButton } from "./CopyButton";
import { rehypeCode } from "./highlight";
import { markdownBlocks } from "./markdownBlocks";

const components: Components = {
  a: ({ href, children }) =>
    href ? (
      <a href={href} target="_blank" rel="noopener noreferrer nofollow">
        {children}
      </a>
    ) : (
      <>{children}</>
    ),
  img: ({ alt }) => <span className="image-alt">[image{alt ? `: ${alt}` : ""}]</span>,
  pre: ({ node, children }) => (
    <div className="code-block">
      <pre>{children}</pre>
      {node && <CopyButton text={toText(node)} label="Copy code" />}
    </div>
  ),
};

/** Keeps http(s) and mailto links only. */
function safeUrl(url: string): string {
  const kept = defaultUrlTransform(url);
  return /^(https?:|mailto:)/i.test(kept) ? kept : "";
}

/** Rendered blocks kept, by part and place (a streaming block replaces its own); the least
 * recently shown go first. */
const KEPT = 2000;
const rendered = new Map<string, { text: string; made: ReactElement }>();

/** One line, not blank, with nothing markdown would read as syntax: no list item (even an
 * empty one), no thematic break, no indented code, no character markdown or its links treat
 * specially, no carriage return (a line break to markdown). */
const PLAIN = /^(?![ \t]*([-+]|\d+[.)])([ \t]|$))(?![ \t]*(-[ \t]*){3,}$)(?! {4}| {0,3}\t)(?=.*\S)[^\\`*_[\]<>#|~!&@\n\r\0]*$/;

function render(id: string, text: string): ReactElement {
  const kept = rendered.get(id);
  rendered.delete(id);
  // `ReactMarkdown` is a plain function of its props (no hooks): called here, its work is done
  // once and its element tree kept.
  const made =
    kept?.text === text
      ? kept.made
      : PLAIN.test(text) && !/:\/\/|www\./i.test(text)
        ? <p>{text}</p>
        : ReactMarkdown({ children: text, remarkPlugins: [remarkGfm], rehypePlugins: [rehypeCode], urlTransform: safeUrl, components });
  rendered.set(id, { text, made });
  if (rendered.size > KEPT) rendered.delete(rendered.keys().next().value!);
  return made;
}

/** `id` names what is shown (a part), for the cache. A block rendered as before is the same
 * element, which React passes over. */
export function Markdown({ id, text }: { id: string; text: string }) {
  const blocks = markdownBlocks(text).map((block, at) => <Fragment key={at}>{render(`${id}\n${at}`, block)}</Fragment>);
  return <div className="markdown">{blocks}</div>;
}
