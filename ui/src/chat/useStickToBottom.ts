// Keeps the page at its bottom while an answer grows, unless the reader scrolled up to read.
import { useEffect, useLayoutEffect, useRef } from "react";

/** How near the bottom, in pixels, still counts as "at the bottom". */
const SLACK = 120;

const atBottom = () => window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - SLACK;

/** Scrolls to the bottom after every change of `content` while the reader was there. */
export function useStickToBottom(content: unknown): void {
  const following = useRef(true);
  useEffect(() => {
    const listener = () => (following.current = atBottom());
    window.addEventListener("scroll", listener, { passive: true });
    return () => window.removeEventListener("scroll", listener);
  }, []);
  useLayoutEffect(() => {
    if (following.current) window.scrollTo({ top: document.documentElement.scrollHeight });
  }, [content]);
}
