// The files a session changed, read from its tool calls alone.
import { describe, expect, it } from "vitest";

import type { Message } from "../gen/protocol";
import { changesOf } from "./changes";

const call = (id: string, name: string, input: unknown, is_error: boolean | null): Message["parts"][number] => ({
  kind: "tool_use",
  id,
  name,
  input,
  result: is_error === null ? null : { content: "ok", is_error },
});

describe("changesOf", () => {
  it("groups applied edits by file, relative to the project, leaving out failed and pending ones", () => {
    const messages: Message[] = [
      {
        id: "a1",
        role: "assistant",
        parts: [
          call("t1", "Edit", { file_path: "/work/app/src/main.rs", old_string: "a", new_string: "b" }, false),
          call("t2", "Write", { file_path: "/work/app/notes.md", content: "hi" }, false),
          call("t3", "Edit", { file_path: "/work/app/src/main.rs", old_string: "x", new_string: "y" }, true),
          call("t4", "Edit", { file_path: "/work/app/src/lib.rs", old_string: "x", new_string: "y" }, null),
          call("t5", "Bash", { command: "ls" }, false),
        ],
      },
      { id: "a2", role: "assistant", parts: [call("t6", "MultiEdit", { file_path: "/work/app/src/main.rs", edits: [{ old_string: "b", new_string: "c" }] }, false), call("t7", "Write", { file_path: "/etc/motd", content: "!" }, false)] },
    ];
    const changed = changesOf(messages, "/work/app");
    expect(changed.map((file) => [file.path, file.inProject, file.edits.length])).toEqual([
      ["src/main.rs", "src/main.rs", 2],
      ["notes.md", "notes.md", 1],
      ["/etc/motd", null, 1],
    ]);
    expect(changed[0]!.edits.map((edit) => edit.after)).toEqual(["b", "c"]);
    expect(changesOf(messages, "").map((file) => file.inProject)).toEqual([null, null, null]);
  });
});
