// What jsdom lacks and the components use: media queries and scrolling.
import { vi } from "vitest";

export function stubBrowser(): void {
  window.matchMedia = ((query: string) => ({ matches: false, media: query }) as MediaQueryList) as typeof window.matchMedia;
  window.scrollTo = vi.fn() as typeof window.scrollTo;
}
