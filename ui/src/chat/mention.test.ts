// The composer's menus: where a command or mention is being typed, what choosing one writes,
// and which commands match.
import { describe, expect, it } from "vitest";

import type { SlashCommand } from "../gen/protocol";
import { complete, matchCommands, triggerAt } from "./mention";

describe("triggerAt", () => {
  it("finds a command only at the start, and a mention after a space", () => {
    expect(triggerAt("/comp", 5)).toEqual({ kind: "command", query: "comp", start: 0, end: 5 });
    expect(triggerAt("/", 1)).toEqual({ kind: "command", query: "", start: 0, end: 1 });
    expect(triggerAt("/compact now", 12)).toBeNull();
    expect(triggerAt("see @src/ma", 11)).toEqual({ kind: "file", query: "src/ma", start: 4, end: 11 });
    expect(triggerAt("@", 1)).toEqual({ kind: "file", query: "", start: 0, end: 1 });
    expect(triggerAt("mail me@example.com", 19)).toBeNull();
    expect(triggerAt("line\n@rea", 9)).toEqual({ kind: "file", query: "rea", start: 5, end: 9 });
  });
});

describe("complete", () => {
  it("replaces what was typed, keeps what follows, and puts the caret after", () => {
    expect(complete("/comp", { kind: "command", query: "comp", start: 0, end: 5 }, "/compact")).toEqual({ text: "/compact ", caret: 9 });
    const trigger = { kind: "file" as const, query: "ma", start: 4, end: 7 };
    expect(complete("see @ma and this", trigger, "@src/main.rs")).toEqual({ text: "see @src/main.rs and this", caret: 17 });
    expect(complete("@s", { kind: "file", query: "s", start: 0, end: 2 }, "@src/").text).toBe("@src/");
  });
});

describe("matchCommands", () => {
  const command = (name: string, description = "", aliases: string[] = []): SlashCommand => ({ name, description, argument_hint: "", aliases, kind: "builtin" });
  const commands = [command("review", "Review the staged changes"), command("compact", "Free up context"), command("usage", "Show cost", ["cost"]), command("context", "Show context usage")];

  it("ranks names first, then aliases and descriptions", () => {
    expect(matchCommands(commands, "co").map((c) => c.name)).toEqual(["compact", "usage", "context"]);
    expect(matchCommands(commands, "cost").map((c) => c.name)).toEqual(["usage"]);
    expect(matchCommands(commands, "staged").map((c) => c.name)).toEqual(["review"]);
    expect(matchCommands(commands, "")).toHaveLength(4);
    expect(matchCommands(commands, "zzz")).toEqual([]);
  });
});
