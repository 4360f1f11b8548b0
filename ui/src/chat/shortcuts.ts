// Keyboard shortcuts for the desktop: one table per screen, ignored while typing (except
// Escape and the Alt+letter shortcuts), when a control already handled the key, while an input method composes, and whenever a modifier other than the ones a
// shortcut names is held.
import { useEffect, useRef } from "react";

export type Shortcut = {
  /** The key as `KeyboardEvent.key` names it, e.g. "Escape", "/", "ArrowLeft". */
  key: string;
  alt?: boolean;
  /** What it does, for the help list. */
  label: string;
  run(): void;
};

function typing(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  return element !== null && (element.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(element.tagName));
}

/** Whether a key press belongs to an input method composing text (Safari reports 229). */
export const composing = (event: { isComposing: boolean; keyCode: number }) => event.isComposing || event.keyCode === 229;

/** Whether `event` triggers `shortcut`. */
export function matches(shortcut: Shortcut, event: KeyboardEvent): boolean {
  // Esc that cancels an input method's conversion is the input method's.
  if (composing(event)) return false;
  if (event.defaultPrevented || event.ctrlKey || event.metaKey) return false;
  if (event.altKey !== (shortcut.alt ?? false)) return false;
  // A letter is matched by its key's place too: with Option held, a Mac types another character.
  const letter = /^[a-z]$/.test(shortcut.key);
  if (event.key !== shortcut.key && !(letter && event.code === `Key${shortcut.key.toUpperCase()}`)) return false;
  // Escape, and the Alt+letter shortcuts (which type nothing), work while typing too; the
  // arrows are the text's own there.
  return shortcut.key === "Escape" || (shortcut.alt === true && letter) || !typing(event.target);
}

/** Listens for `shortcuts` while the component is shown. */
export function useShortcuts(shortcuts: Shortcut[]): void {
  const current = useRef(shortcuts);
  current.current = shortcuts;
  useEffect(() => {
    const listener = (event: KeyboardEvent) => {
      const shortcut = current.current.find((candidate) => matches(candidate, event));
      if (!shortcut) return;
      event.preventDefault();
      shortcut.run();
    };
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);
}

/** How a shortcut is written in the help list. */
export function keyName(shortcut: Shortcut): string {
  const key = { Escape: "Esc", ArrowLeft: "←", ArrowRight: "→", ArrowUp: "↑", ArrowDown: "↓" }[shortcut.key] ?? shortcut.key.toUpperCase();
  return shortcut.alt ? `Alt+${key}` : key;
}
