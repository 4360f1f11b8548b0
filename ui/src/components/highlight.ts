// A rehype plugin that highlights fenced code in the languages of ./languages only, so the
// chat does not carry every grammar highlight.js knows. A block in another language, or with
// none, stays plain text.
import type { ElementContent, Root } from "hast";
import { toText } from "hast-util-to-text";
import { createLowlight } from "lowlight";
import { visit } from "unist-util-visit";

import { LANGUAGES } from "./languages";

const lowlight = createLowlight(LANGUAGES);

/** The language a `language-x` (or `lang-x`) class names. */
function languageOf(classes: unknown): string | null {
  if (!Array.isArray(classes)) return null;
  for (const name of classes) {
    const match = /^(?:language|lang)-(.+)$/.exec(String(name));
    if (match) return match[1]!;
  }
  return null;
}

export function rehypeCode() {
  return (tree: Root) => {
    visit(tree, "element", (node, _index, parent) => {
      if (node.tagName !== "code" || parent?.type !== "element" || parent.tagName !== "pre") return;
      const language = languageOf(node.properties.className);
      if (language === null || !lowlight.registered(language)) return;
      const highlighted = lowlight.highlight(language, toText(node, { whitespace: "pre" }), { prefix: "hljs-" });
      node.properties.className = ["hljs", ...(node.properties.className as string[])];
      node.children = highlighted.children as ElementContent[];
    });
  };
}
