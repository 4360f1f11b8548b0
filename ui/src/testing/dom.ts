// What jsdom lacks and the components use: media queries, scrolling, and sizes (jsdom lays
// nothing out; the virtualized transcript draws the rows that fit a screen of this size).
import { vi } from "vitest";

export function stubBrowser(): void {
  window.matchMedia = ((query: string) => ({ matches: false, media: query }) as MediaQueryList) as typeof window.matchMedia;
  window.scrollTo = vi.fn() as typeof window.scrollTo;
  HTMLElement.prototype.getBoundingClientRect = () => DOMRect.fromRect({ width: 400, height: 800 });
  Object.defineProperty(HTMLElement.prototype, "clientHeight", { configurable: true, get: () => 800 });
  Object.defineProperty(HTMLElement.prototype, "clientWidth", { configurable: true, get: () => 400 });
  // Taller than the window, so reaching the top takes a scroll.
  Object.defineProperty(HTMLElement.prototype, "scrollHeight", { configurable: true, get: () => 5_000 });
}
