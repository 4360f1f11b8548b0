// The sidebar's width and whether it is hidden, remembered in this browser.
import { useCallback, useState } from "react";

const KEY = "tether.sidebar";
export const MIN_WIDTH = 220;
export const MAX_WIDTH = 480;
const DEFAULT_WIDTH = 300;

export type Panel = { width: number; collapsed: boolean };

const clamp = (width: number) => Math.round(Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, width)));

function saved(): Panel {
  try {
    const { width, collapsed } = JSON.parse(localStorage.getItem(KEY) ?? "{}") as Partial<Panel>;
    return { width: clamp(typeof width === "number" ? width : DEFAULT_WIDTH), collapsed: collapsed === true };
  } catch {
    return { width: DEFAULT_WIDTH, collapsed: false };
  }
}

export function usePanel(): Panel & { resize(width: number): void; toggle(): void } {
  const [panel, setPanel] = useState(saved);
  const change = useCallback((next: (panel: Panel) => Panel) => {
    setPanel((panel) => {
      const changed = next(panel);
      try {
        localStorage.setItem(KEY, JSON.stringify(changed));
      } catch {
        // Not remembered: storage is full or refused.
      }
      return changed;
    });
  }, []);
  const resize = useCallback((width: number) => change((panel) => ({ ...panel, width: clamp(width) })), [change]);
  const toggle = useCallback(() => change((panel) => ({ ...panel, collapsed: !panel.collapsed })), [change]);
  return { ...panel, resize, toggle };
}
