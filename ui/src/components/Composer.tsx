// Where prompts are typed. Enter sends on a keyboard (Shift+Enter for a new line); on a touch
// screen Enter is a new line and the button sends. An input method's Enter (confirming a
// conversion) never sends. The box grows with its text. `/` at the start offers the session's
// slash commands, `@` the project's files. Images come from the picker, the camera (on a
// touch screen), a paste or a drop, and show as thumbnails until sent. A prompt the engine
// refuses comes back into the box, images and all, with the reason.
import { Camera, ImagePlus } from "lucide-react";
import { type ClipboardEvent, type DragEvent, type FormEvent, type KeyboardEvent, type Ref, useId, useLayoutEffect, useRef, useState } from "react";

import { uploads } from "../chat/images";
import { complete } from "../chat/mention";
import { composing } from "../chat/shortcuts";
import { useAttachments } from "../chat/useAttachments";
import { type SuggestionSource, useSuggestions } from "../chat/useSuggestions";
import type { ImageUpload } from "../gen/protocol";
import { AttachmentStrip } from "./AttachmentStrip";
import { SuggestionMenu } from "./SuggestionMenu";

type Props = {
  send(text: string, images: ImageUpload[]): Promise<unknown>;
  disabled: string | null;
  inputRef: Ref<HTMLTextAreaElement>;
  /** Where the menus' commands and files come from; none, no menus. */
  suggest: SuggestionSource | null;
};

/** The tallest the box grows before it scrolls, in pixels. */
const MAX_HEIGHT = 200;

const ACCEPT = "image/png,image/jpeg,image/gif,image/webp";

const touch = () => matchMedia("(pointer: coarse)").matches;

export function Composer({ send, disabled, inputRef, suggest }: Props) {
  const [draft, setDraft] = useState("");
  const [caret, setCaret] = useState(0);
  const menu = useSuggestions(suggest, draft, caret);
  const menuId = useId();
  const [problem, setProblem] = useState<string | null>(null);
  const images = useAttachments();
  const box = useRef<HTMLTextAreaElement | null>(null);
  const picker = useRef<HTMLInputElement | null>(null);
  const camera = useRef<HTMLInputElement | null>(null);

  useLayoutEffect(() => {
    const element = box.current;
    if (!element) return;
    element.style.height = "auto";
    element.style.height = `${Math.min(element.scrollHeight, MAX_HEIGHT)}px`;
    element.style.overflowY = element.scrollHeight > MAX_HEIGHT ? "auto" : "hidden";
  }, [draft]);

  const ready = (draft.trim() !== "" || images.attachments.length > 0) && images.preparing === 0;

  function submit(event?: FormEvent) {
    event?.preventDefault();
    const text = draft.trim();
    if (!ready || disabled) return;
    const attached = images.take();
    setDraft("");
    setProblem(null);
    send(text, uploads(attached)).catch((error: { message: string }) => {
      setDraft((typed) => typed || text);
      images.restore(attached);
      setProblem(`Not sent: ${error.message}`);
    });
  }

  function choose(index: number) {
    const item = menu.items[index];
    if (!item || !menu.trigger) return;
    const done = complete(draft, menu.trigger, item.insert);
    setDraft(done.text);
    setCaret(done.caret);
    requestAnimationFrame(() => box.current?.setSelectionRange(done.caret, done.caret));
    box.current?.focus();
  }

  function menuKeys(event: KeyboardEvent<HTMLTextAreaElement>): boolean {
    if (!menu.trigger || composing(event.nativeEvent)) return false;
    const open = menu.items.length > 0;
    if (event.key === "Escape") menu.dismiss();
    else if (open && event.key === "ArrowDown") menu.move(1);
    else if (open && event.key === "ArrowUp") menu.move(-1);
    else if (open && (event.key === "Tab" || (event.key === "Enter" && !event.shiftKey))) choose(menu.active);
    else return false;
    event.preventDefault();
    return true;
  }

  function keys(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (menuKeys(event)) return;
    if (event.key !== "Enter" || event.shiftKey || composing(event.nativeEvent)) return;
    if (touch() && !(event.ctrlKey || event.metaKey)) return;
    event.preventDefault();
    submit();
  }

  function paste(event: ClipboardEvent) {
    const files = [...event.clipboardData.files];
    if (files.length === 0) return;
    event.preventDefault();
    images.add(files);
  }

  function drop(event: DragEvent) {
    if (!event.dataTransfer.types.includes("Files")) return;
    event.preventDefault();
    images.add(event.dataTransfer.files);
  }

  const chosen = (input: HTMLInputElement) => {
    images.add(input.files ?? []);
    input.value = "";
  };

  const attach = (element: HTMLTextAreaElement | null) => {
    box.current = element;
    if (typeof inputRef === "function") inputRef(element);
    else if (inputRef) (inputRef as { current: HTMLTextAreaElement | null }).current = element;
  };

  const off = disabled !== null;
  const shown = problem ?? images.problem;
  return (
    <form className="composer" onSubmit={submit} onDragOver={(event) => event.preventDefault()} onDrop={drop}>
      {shown && <p className="error composer-problem" role="alert">{shown}</p>}
      <SuggestionMenu suggestions={menu} id={menuId} choose={choose} />
      <AttachmentStrip attachments={images.attachments} preparing={images.preparing} remove={images.remove} />
      <input ref={picker} type="file" accept={ACCEPT} multiple hidden onChange={(event) => chosen(event.target)} aria-label="Image files" />
      <input ref={camera} type="file" accept="image/*" capture="environment" hidden onChange={(event) => chosen(event.target)} aria-label="Camera" />
      <button type="button" className="icon" onClick={() => picker.current?.click()} disabled={off} aria-label="Attach images" title="Attach images">
        <ImagePlus size={20} aria-hidden="true" />
      </button>
      {touch() && (
        <button type="button" className="icon" onClick={() => camera.current?.click()} disabled={off} aria-label="Take a photo" title="Take a photo">
          <Camera size={20} aria-hidden="true" />
        </button>
      )}
      <textarea
        ref={attach}
        value={draft}
        onChange={(event) => {
          setDraft(event.target.value);
          setCaret(event.target.selectionStart);
        }}
        onSelect={(event) => setCaret(event.currentTarget.selectionStart)}
        onKeyDown={keys}
        aria-controls={menu.items.length > 0 ? menuId : undefined}
        aria-activedescendant={menu.items.length > 0 ? `${menuId}-${menu.active}` : undefined}
        aria-autocomplete="list"
        onPaste={paste}
        placeholder={disabled ?? "Message Claude…"}
        aria-label="Message"
        disabled={off}
        rows={1}
      />
      <button type="submit" className="primary" disabled={!ready || off}>
        Send
      </button>
    </form>
  );
}
