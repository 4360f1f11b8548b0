// The sidebar's edge: dragged with a pointer, or moved with the arrow keys (Home and End for
// the narrowest and widest), and told to screen readers as a separator with its value.
import type { KeyboardEvent, PointerEvent } from "react";

import { MAX_WIDTH, MIN_WIDTH } from "./usePanel";

const STEP = 16;

export function Resizer({ width, resize }: { width: number; resize(width: number): void }) {
  const keys = (event: KeyboardEvent) => {
    const to = { ArrowLeft: width - STEP, ArrowRight: width + STEP, Home: MIN_WIDTH, End: MAX_WIDTH }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    resize(to);
  };
  const drag = (event: PointerEvent<HTMLDivElement>) => {
    const handle = event.currentTarget;
    handle.setPointerCapture(event.pointerId);
    const start = event.clientX - width;
    const move = (moved: globalThis.PointerEvent) => resize(moved.clientX - start);
    const stop = () => {
      handle.removeEventListener("pointermove", move);
      handle.removeEventListener("pointerup", stop);
      handle.removeEventListener("pointercancel", stop);
    };
    handle.addEventListener("pointermove", move);
    handle.addEventListener("pointerup", stop);
    handle.addEventListener("pointercancel", stop);
  };
  return (
    <div
      className="resizer"
      role="separator"
      aria-orientation="vertical"
      aria-label="Sidebar width"
      aria-controls="sidebar"
      aria-valuenow={width}
      aria-valuemin={MIN_WIDTH}
      aria-valuemax={MAX_WIDTH}
      tabIndex={0}
      onKeyDown={keys}
      onPointerDown={drag}
    />
  );
}
