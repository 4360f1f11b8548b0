import { describe, expect, it } from "vitest";

import { editsOf, inputView, resultText, toolSummary } from "./tools";

describe("tool descriptions", () => {
  it("summarize each tool by what it acts on, whatever the model sent", () => {
    expect(toolSummary("Bash", { command: "ls -la" })).toBe("ls -la");
    expect(toolSummary("Edit", { file_path: "/src/a.ts" })).toBe("/src/a.ts");
    expect(toolSummary("Bash", null)).toBe("");
    expect(toolSummary("Bash", { command: 42 })).toBe("");
    expect(toolSummary("Unknown", { x: 1 })).toBe("");
    expect(toolSummary("TaskCreate", { subject: "Greet" })).toBe("Greet");
    expect(toolSummary("TaskUpdate", { taskId: "1", status: "completed" })).toBe("#1 completed");
  });

  it("read edits from Edit, MultiEdit and Write only", () => {
    expect(editsOf("Edit", { file_path: "f", old_string: "a", new_string: "b" })).toEqual([{ path: "f", before: "a", after: "b" }]);
    expect(editsOf("MultiEdit", { file_path: "f", edits: [{ old_string: "a", new_string: "b" }, null] })).toEqual([
      { path: "f", before: "a", after: "b" },
      { path: "f", before: "", after: "" },
    ]);
    expect(editsOf("Write", { file_path: "f", content: "new" })).toEqual([{ path: "f", before: "", after: "new", whole: true }]);
    expect(editsOf("Bash", { command: "x" })).toBeNull();
  });

  it("show edits as diffs, commands as commands, the rest as JSON", () => {
    expect(inputView("Write", { file_path: "f", content: "x" }).kind).toBe("edits");
    expect(inputView("Bash", { command: "ls" })).toEqual({ kind: "command", command: "ls" });
    expect(inputView("Bash", {}).kind).toBe("json");
    expect(inputView("Grep", { pattern: "x" }).kind).toBe("json");
  });

  it("turn results into text", () => {
    expect(resultText("plain")).toBe("plain");
    expect(resultText([{ type: "text", text: "a" }, { type: "image" }])).toBe("a\n[image]");
    expect(resultText({ ok: true })).toBe('{\n  "ok": true\n}');
  });
});
