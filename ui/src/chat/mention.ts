// What the composer's menus complete: a slash command typed at the start of the message, and
// an `@` mention of a project file anywhere after a space. Pure text work, so it is tested alone.
import type { SlashCommand } from "../gen/protocol";

export type Trigger = { kind: "command" | "file"; query: string; start: number; end: number };

/** The command or mention being typed where the caret is, if any. */
export function triggerAt(text: string, caret: number): Trigger | null {
  const before = text.slice(0, caret);
  const command = /^\/(\S*)$/.exec(before);
  if (command) return { kind: "command", query: command[1] ?? "", start: 0, end: caret };
  const file = /(?:^|\s)@([^\s@]*)$/.exec(before);
  const query = file?.[1];
  if (query !== undefined) return { kind: "file", query, start: caret - query.length - 1, end: caret };
  return null;
}

/** The text with the trigger replaced by `insert` (and a space, unless it ends in `/`), and
 * where the caret goes. */
export function complete(text: string, trigger: Trigger, insert: string): { text: string; caret: number } {
  const spaced = insert.endsWith("/") ? insert : `${insert} `;
  const rest = text.slice(trigger.end).replace(/^ /, "");
  return { text: text.slice(0, trigger.start) + spaced + rest, caret: trigger.start + spaced.length };
}

/** The commands for `query`: names that start with it, then names and aliases that hold it,
 * then descriptions that do. */
export function matchCommands(commands: SlashCommand[], query: string, limit = 50): SlashCommand[] {
  const wanted = query.toLowerCase();
  const rank = (command: SlashCommand) => {
    const names = [command.name, ...command.aliases].map((name) => name.toLowerCase());
    if (names.some((name) => name.startsWith(wanted))) return 0;
    if (names.some((name) => name.includes(wanted))) return 1;
    return command.description.toLowerCase().includes(wanted) ? 2 : null;
  };
  return commands
    .map((command, order) => ({ command, order, rank: rank(command) }))
    .filter((ranked): ranked is { command: SlashCommand; order: number; rank: number } => ranked.rank !== null)
    .sort((a, b) => a.rank - b.rank || a.order - b.order)
    .slice(0, limit)
    .map((ranked) => ranked.command);
}
