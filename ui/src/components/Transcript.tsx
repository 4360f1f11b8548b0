// The conversation, virtualized: one row per part, only those near the viewport drawn, each
// measured as it shows, so a session of ten thousand parts opens on its last page at once and
// scrolls smoothly. It follows new parts only while the reader is at the bottom (then
// "Jump to latest" appears); scrolling near the top loads the page before, keeping the place.
import { useVirtualizer } from "@tanstack/react-virtual";
import { ArrowDown } from "lucide-react";
import { Suspense, lazy, memo, useCallback, useLayoutEffect, useMemo, useRef, useState } from "react";

import type { Message, Part, Role } from "../gen/protocol";
import { CopyButton } from "./CopyButton";
import { MentionedText } from "./MentionedText";
import { ToolCard } from "./ToolCard";

/** Markdown and its highlighter load with the first chat, not with the first page. */
const Markdown = lazy(() => import("./Markdown").then((module) => ({ default: module.Markdown })));

/** How near the bottom, in pixels, still counts as "at the bottom"; and near the top, as the top. */
const SLACK = 120;
const NEAR_TOP = 600;
/** How long after the reader's own input a move of the view is still theirs, in ms. */
const TOUCHED_MS = 500;

type Row = { key: string; role: Role; part: Part; copy: string | null };

type Props = {
  messages: Message[];
  /** Loads the page before, when there is one. */
  loadEarlier: (() => void) | null;
  /** A message to show and mark (a search result): earlier pages load until it is there. */
  focus?: string;
};

/** Pages loaded back at most, looking for the message to show. */
const MOST_PAGES_BACK = 200;

function rowsOf(messages: Message[]): Row[] {
  return messages.flatMap((message) => {
    const text = message.role === "assistant" ? textOf(message) : "";
    return message.parts.map((part, index) => ({
      key: `${message.id}/${part.id}`,
      role: message.role,
      part,
      copy: text && index === message.parts.length - 1 ? text : null,
    }));
  });
}

export function Transcript({ messages, loadEarlier, focus }: Props) {
  const rows = useMemo(() => rowsOf(messages), [messages]);
  const scroller = useRef<HTMLDivElement | null>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 72,
    overscan: 3,
    getItemKey: (index) => rows[index]!.key,
  });
  const following = useRef(true);
  const [atEnd, setAtEnd] = useState(true);
  const total = virtualizer.getTotalSize();
  const anchor = useRef<{ first: string | undefined; total: number } | null>(null);

  // At the bottom: stay there as parts arrive and grow. Above: a page put in front keeps
  // what the reader sees where it was.
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const first = rows[0]?.key;
    if (following.current) element.scrollTop = element.scrollHeight;
    else if (anchor.current && anchor.current.first !== first) element.scrollTop += total - anchor.current.total;
    anchor.current = { first, total };
  }, [rows, total]);

  const lastTop = useRef(0);
  const lastHeight = useRef(0);
  /** When the reader last moved the view themselves: wheel, touch, keys or the scrollbar. */
  const touched = useRef(-Infinity);
  const touch = () => void (touched.current = performance.now());
  const scrolled = useCallback(() => {
    const element = scroller.current;
    if (!element) return;
    const end = element.scrollHeight - element.scrollTop - element.clientHeight < SLACK;
    // Only the reader moving up leaves the bottom. Content growing, rows measured (the view
    // moves to keep a resized row in place) and the window resized move the view too, and
    // change the content's height as they do: a move up with the height changed counts as
    // the reader's only just after they touched the view.
    const laidOut = element.scrollHeight !== lastHeight.current && performance.now() - touched.current > TOUCHED_MS;
    following.current = end || (following.current && (laidOut || element.scrollTop >= lastTop.current));
    lastTop.current = element.scrollTop;
    lastHeight.current = element.scrollHeight;
    setAtEnd(end || following.current);
    if (element.scrollTop < NEAR_TOP && loadEarlier) loadEarlier();
  }, [loadEarlier]);
  // Near the top with no scroll to come (a first page shorter than the window, or the view
  // reloaded while the reader was up there): the page before loads all the same.
  // Once for each new first row (not for each streamed token): a page that failed to load is
  // asked for again only when the reader scrolls.
  const earlier = useRef(loadEarlier);
  earlier.current = loadEarlier;
  const firstKey = rows[0]?.key;
  useLayoutEffect(() => {
    const element = scroller.current;
    if (element && element.scrollTop < NEAR_TOP && (!following.current || element.scrollHeight <= element.clientHeight)) earlier.current?.();
  }, [firstKey]);

  // The message asked for: shown once it is loaded, else the page before is asked for.
  const focusIndex = focus === undefined ? -1 : rows.findIndex((row) => row.key.startsWith(`${focus}/`));
  const pagesBack = useRef(0);
  useLayoutEffect(() => {
    if (focus === undefined) return;
    if (focusIndex >= 0) {
      following.current = false;
      setAtEnd(false);
      virtualizer.scrollToIndex(focusIndex, { align: "start" });
    } else if (pagesBack.current < MOST_PAGES_BACK) {
      pagesBack.current += 1;
      earlier.current?.();
    }
  }, [focus, focusIndex, firstKey, virtualizer]);

  const jump = () => {
    following.current = true;
    setAtEnd(true);
    const element = scroller.current;
    if (element) element.scrollTop = element.scrollHeight;
  };

  return (
    <div className="transcript-frame">
      <div
        className="transcript"
        ref={scroller}
        onScroll={scrolled}
        onWheel={touch}
        onTouchMove={touch}
        onKeyDown={touch}
        onPointerDown={touch}
        tabIndex={0}
        role="region"
        aria-label="Conversation"
      >
        <div className="messages" data-rows={rows.length} style={{ height: total }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index]!;
            return (
              <div
                key={item.key}
                data-index={item.index}
                ref={virtualizer.measureElement}
                className={focus !== undefined && row.key.startsWith(`${focus}/`) ? "row focused" : "row"}
                style={{ transform: `translateY(${item.start}px)` }}
              >
                <div className={`message message-${row.role}`}>
                  <PartView part={row.part} role={row.role} />
                  {row.copy !== null && <CopyButton text={row.copy} label="Copy answer" />}
                </div>
              </div>
            );
          })}
        </div>
      </div>
      {!atEnd && (
        <button className="jump" onClick={jump}>
          <ArrowDown size={16} aria-hidden="true" /> Jump to latest
        </button>
      )}
    </div>
  );
}

/** A message's text parts, as one text. */
function textOf(message: Message): string {
  return message.parts.flatMap((part) => (part.kind === "text" ? [part.text] : [])).join("\n\n");
}

/** The image types a prompt may carry; anything else is not shown as an image. */
const IMAGE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"];

function Attachment({ mediaType, data }: { mediaType: string; data: string }) {
  if (!IMAGE_TYPES.includes(mediaType)) return <p className="hint">An attachment of type {mediaType}</p>;
  return <img className="attachment" src={`data:${mediaType};base64,${data}`} alt="An attached image" />;
}

/** A part re-renders only when it changed: a streamed token leaves the others as they were. */
const PartView = memo(function PartView({ part, role }: { part: Part; role: Role }) {
  if (part.kind === "tool_use") return <ToolCard name={part.name} input={part.input} result={part.result} />;
  if (part.kind === "thinking") {
    return (
      <details className="thinking">
        <summary>Thinking</summary>
        <p className="text">{part.text}</p>
      </details>
    );
  }
  if (part.kind === "image") return <Attachment mediaType={part.media_type} data={part.data} />;
  if (role === "user") {
    return (
      <p className="text">
        <MentionedText text={part.text} />
      </p>
    );
  }
  const plain = <p className="text">{part.text}</p>;
  return (
    <Suspense fallback={plain}>
      <Markdown id={part.id} text={part.text} />
    </Suspense>
  );
});
