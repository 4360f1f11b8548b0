// Model text as markdown, safely: no raw HTML (it shows as text), only http(s) and mailto
// links (opened apart from the app, without referrer), no remote images (their alt text
// instead), and code blocks highlighted by language (./highlight), each with a copy button.
import { toText } from "hast-util-to-text";
import ReactMarkdown, { type Components, defaultUrlTransform } from "react-markdown";
import remarkGfm from "remark-gfm";

import { CopyButton } from "./CopyButton";
import { rehypeCode } from "./highlight";

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

export function Markdown({ text }: { text: string }) {
  return (
    <div className="markdown">
      <ReactMarkdown
        remarkPlugins={[remarkGfm]}
        rehypePlugins={[rehypeCode]}
        urlTransform={safeUrl}
        components={components}
      >
        {text}
      </ReactMarkdown>
    </div>
  );
}
