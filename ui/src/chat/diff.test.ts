import { describe, expect, it } from "vitest";

import { CONTEXT, diffLines } from "./diff";

const numbered = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}`);

describe("diffLines", () => {
  it("shows a changed line between its context, with far lines folded", () => {
    const before = numbered(1, 20).join("\n");
    const after = before.replace("line 10", "line ten");
    const diff = diffLines(before, after);
    expect(diff).toEqual([
      { kind: "folded", count: 9 - CONTEXT },
      ...numbered(10 - CONTEXT, 9).map((text) => ({ kind: "same", text })),
      { kind: "removed", text: "line 10" },
      { kind: "added", text: "line ten" },
      ...numbered(11, 10 + CONTEXT).map((text) => ({ kind: "same", text })),
      { kind: "folded", count: 10 - CONTEXT },
    ]);
  });

  it("finds the lines kept between insertions and removals", () => {
    const diff = diffLines("a\nb\nc\nd\n", "a\nc\nx\nd\n");
    expect(diff.map((line) => (line.kind === "folded" ? "…" : `${line.kind[0]}${line.text}`))).toEqual(["sa", "rb", "sc", "ax", "sd"]);
  });

  it("writes a new file as all added, and gives up gracefully on huge inputs", () => {
    expect(diffLines("", "one\ntwo")).toEqual([
      { kind: "added", text: "one" },
      { kind: "added", text: "two" },
    ]);
    // Reversed, the lines share one line in order: a full diff would keep it, the cap does not.
    const big = numbered(1, 2000);
    const diff = diffLines(big.join("\n"), [...big].reverse().join("\n"));
    expect(diff.filter((line) => line.kind === "removed")).toHaveLength(2000);
    expect(diff.filter((line) => line.kind === "added")).toHaveLength(2000);
  });
});
