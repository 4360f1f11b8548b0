// A file's text or a diff, highlighted by its language the way the chat highlights code (the
// same grammars, the same copy button), loaded with the chat's Markdown. Past a size, plain.
import { Suspense, lazy } from "react";

const Markdown = lazy(() => import("./Markdown").then((module) => ({ default: module.Markdown })));

/** The most text highlighted; larger shows plain (highlighting it would hold the page). */
const MOST_HIGHLIGHTED = 200_000;

const EXTENSIONS: Record<string, string> = {
  rs: "rust", ts: "typescript", tsx: "typescript", mts: "typescript", js: "javascript", jsx: "javascript", mjs: "javascript", cjs: "javascript",
  py: "python", go: "go", java: "java", c: "c", h: "c", cc: "cpp", cpp: "cpp", hpp: "cpp", css: "css", json: "json", md: "markdown",
  sh: "bash", bash: "bash", sql: "sql", html: "xml", xml: "xml", svg: "xml", yml: "yaml", yaml: "yaml", diff: "diff", patch: "diff",
};

/** The language a file's name suggests, if one is highlighted. */
export function languageOf(path: string): string {
  return EXTENSIONS[path.split(".").pop()?.toLowerCase() ?? ""] ?? "";
}

export function CodeView({ id, text, language, label }: { id: string; text: string; language: string; label: string }) {
  if (text.length > MOST_HIGHLIGHTED) {
    return <pre className="code-view" aria-label={label}>{text}</pre>;
  }
  // A fence longer than any run of backticks in the text, so nothing in it ends the block.
  const fence = "`".repeat(Math.max(3, ...(text.match(/`+/g) ?? []).map((run) => run.length + 1)));
  return (
    <section className="code-view" aria-label={label}>
      <Suspense fallback={<pre>{text}</pre>}>
        <Markdown id={id} text={`${fence}${language}\n${text}\n${fence}`} />
      </Suspense>
    </section>
  );
}
