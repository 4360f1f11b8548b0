// Where prompts are typed. Enter sends on a keyboard (Shift+Enter for a new line); on a touch
// screen Enter is a new line and the button sends. An input method's Enter (confirming a
// conversion) never sends. The box grows with its text. A prompt the engine refuses comes back
// into the box, with the reason.
import { type FormEvent, type KeyboardEvent, type Ref, useLayoutEffect, useRef, useState } from "react";

import { composing } from "../chat/shortcuts";

type Props = { send(text: string): Promise<unknown>; disabled: string | null; inputRef: Ref<HTMLTextAreaElement> };

/** The tallest the box grows before it scrolls, in pixels. */
const MAX_HEIGHT = 200;

const touch = () => matchMedia("(pointer: coarse)").matches;

export function Composer({ send, disabled, inputRef }: Props) {
  const [draft, setDraft] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const box = useRef<HTMLTextAreaElement | null>(null);

  useLayoutEffect(() => {
    const element = box.current;
    if (!element) return;
    element.style.height = "auto";
    element.style.height = `${Math.min(element.scrollHeight, MAX_HEIGHT)}px`;
    element.style.overflowY = element.scrollHeight > MAX_HEIGHT ? "auto" : "hidden";
  }, [draft]);

  function submit(event?: FormEvent) {
    event?.preventDefault();
    const text = draft.trim();
    if (!text || disabled) return;
    setDraft("");
    setProblem(null);
    send(text).catch((error: { message: string }) => {
      setDraft((typed) => typed || text);
      setProblem(`Not sent: ${error.message}`);
    });
  }

  function keys(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key !== "Enter" || event.shiftKey || composing(event.nativeEvent)) return;
    if (touch() && !(event.ctrlKey || event.metaKey)) return;
    event.preventDefault();
    submit();
  }

  const attach = (element: HTMLTextAreaElement | null) => {
    box.current = element;
    if (typeof inputRef === "function") inputRef(element);
    else if (inputRef) (inputRef as { current: HTMLTextAreaElement | null }).current = element;
  };

  return (
    <form className="composer" onSubmit={submit}>
      {problem && <p className="error composer-problem" role="alert">{problem}</p>}
      <textarea
        ref={attach}
        value={draft}
        onChange={(event) => setDraft(event.target.value)}
        onKeyDown={keys}
        placeholder={disabled ?? "Message Claude…"}
        aria-label="Message"
        disabled={disabled !== null}
        rows={1}
      />
      <button type="submit" className="primary" disabled={!draft.trim() || disabled !== null}>
        Send
      </button>
    </form>
  );
}
