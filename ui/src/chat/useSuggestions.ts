// The composer's menu: slash commands (asked of the session when first wanted, and again after
// a failure the next time the menu opens; asking starts its claude) and the project's files
// for an `@` mention (searched once typing pauses, the newest answer winning). Escape closes
// it until the text before the caret changes.
import { useEffect, useRef, useState } from "react";

import type { FileEntry, SlashCommand } from "../gen/protocol";
import { type Trigger, matchCommands, triggerAt } from "./mention";

export type SuggestionSource = {
  commands(): Promise<SlashCommand[]>;
  files(query: string): Promise<FileEntry[]>;
};

export type Suggestion = { key: string; insert: string; label: string; detail: string };

export type Suggestions = {
  trigger: Trigger | null;
  items: Suggestion[];
  active: number;
  /** What the menu says instead of items: loading, a problem, nothing found. */
  note: string | null;
  move(step: number): void;
  dismiss(): void;
};

/** Options shown at once (the menu never scrolls: typing narrows it). */
const SHOWN = 8;

/** Milliseconds typing must pause before the files are searched. */
const PAUSE = 100;

const KIND_NAMES = { builtin: "Claude Code", project: "this project", user: "yours", skill: "skill" } as const;

export function useSuggestions(source: SuggestionSource | null, text: string, caret: number): Suggestions {
  const found = source ? triggerAt(text, caret) : null;
  const [dismissed, setDismissed] = useState<string | null>(null);
  const here = found ? `${found.kind}:${text.slice(0, caret)}` : null;
  const trigger = found && here !== dismissed ? found : null;
  const [commands, setCommands] = useState<SlashCommand[] | null>(null);
  const [files, setFiles] = useState<{ query: string; entries: FileEntry[] } | null>(null);
  const [problems, setProblems] = useState<{ command?: string; file?: string }>({});
  const [active, setActive] = useState(0);
  const kind = trigger?.kind;
  // Closed, a menu's failure is forgotten: opening it again asks again.
  useEffect(() => {
    if (kind !== "command") setProblems((known) => (known.command ? { ...known, command: undefined } : known));
    if (kind !== "file") setProblems((known) => (known.file ? { ...known, file: undefined } : known));
  }, [kind]);
  const asked = useRef(0);
  const wantsCommands = kind === "command" && commands === null && !problems.command;
  const fileQuery = trigger?.kind === "file" ? trigger.query : null;

  useEffect(() => {
    if (!wantsCommands || !source) return;
    let current = true;
    source.commands().then(
      (listed) => current && setCommands(listed),
      (error: { message: string }) => current && setProblems((known) => ({ ...known, command: `Commands are not available: ${error.message}` })),
    );
    return () => {
      current = false;
    };
  }, [wantsCommands, source]);

  useEffect(() => {
    if (fileQuery === null || !source) return;
    const mine = ++asked.current;
    const timer = setTimeout(() => {
      source.files(fileQuery).then(
        (entries) => mine === asked.current && (setFiles({ query: fileQuery, entries }), setProblems((known) => ({ ...known, file: undefined }))),
        (error: { message: string }) => mine === asked.current && setProblems((known) => ({ ...known, file: `Files are not available: ${error.message}` })),
      );
    }, PAUSE);
    return () => clearTimeout(timer);
  }, [fileQuery, source]);

  const all: Suggestion[] =
    trigger?.kind === "command"
      ? matchCommands(commands ?? [], trigger.query).map((command) => ({
          key: command.name,
          insert: `/${command.name}`,
          label: `/${command.name}${command.argument_hint ? ` ${command.argument_hint}` : ""}`,
          detail: [command.description, KIND_NAMES[command.kind]].filter(Boolean).join(" · "),
        }))
      : trigger?.kind === "file"
        ? (files?.entries ?? []).map((entry) => ({
            key: entry.path,
            insert: `@${entry.path}${entry.kind === "folder" ? "/" : ""}`,
            label: entry.path + (entry.kind === "folder" ? "/" : ""),
            detail: entry.kind === "folder" ? "folder" : "file",
          }))
        : [];
  const items = all.slice(0, SHOWN);
  const more = all.length - items.length;
  const itemsKey = items.map((item) => item.key).join("\n");
  useEffect(() => setActive(0), [itemsKey]);

  const loading = trigger?.kind === "command" ? commands === null : !files;
  const note = !trigger
    ? null
    : (problems[trigger.kind] ??
      (loading
        ? trigger.kind === "command"
          ? "Asking Claude for its commands…"
          : "Looking through the project…"
        : items.length === 0
          ? "Nothing matches"
          : more > 0
            ? `${more} more: type to narrow`
            : null));
  return {
    trigger,
    items,
    active: Math.min(active, Math.max(0, items.length - 1)),
    note,
    move: (step) => setActive((at) => (items.length === 0 ? 0 : (at + step + items.length) % items.length)),
    dismiss: () => setDismissed(here),
  };
}
