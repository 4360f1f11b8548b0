// Copies a text (a message, a code block, a tool's output) to the clipboard, and says so for
// a moment.
import { Check, Copy } from "lucide-react";
import { useEffect, useState } from "react";

type Told = "copied" | "refused" | null;

export function CopyButton({ text, label }: { text: string; label: string }) {
  const [told, setTold] = useState<Told>(null);
  useEffect(() => {
    if (told === null) return;
    const shown = setTimeout(() => setTold(null), 1500);
    return () => clearTimeout(shown);
  }, [told]);
  const copy = () =>
    navigator.clipboard.writeText(text).then(
      () => setTold("copied"),
      () => setTold("refused"),
    );
  const said = told === "copied" ? "Copied" : told === "refused" ? "Could not copy" : null;
  return (
    <>
      <button className="copy" aria-label={label} title={label} onClick={() => void copy()}>
        {told === "copied" ? <Check size={14} aria-hidden="true" /> : <Copy size={14} aria-hidden="true" />}
        {said && <span aria-hidden="true">{said}</span>}
      </button>
      <span className="visually-hidden" role="status">
        {said}
      </span>
    </>
  );
}
