// The images waiting in the composer: added from a picker, the camera, a paste or a drop,
// each prepared (checked and scaled) before it shows, in the order they were given; a file
// that cannot go is named with the reason, and the others still come.
import { useCallback, useRef, useState } from "react";

import { type Attachment, MAX_IMAGES, prepareImage } from "./images";

export type Attachments = {
  attachments: Attachment[];
  /** Files being prepared. */
  preparing: number;
  /** Why the last files given could not all be attached. */
  problem: string | null;
  add(files: Iterable<File>): void;
  remove(id: string): void;
  /** Takes them all out (to send); `restore` puts them back if sending fails. */
  take(): Attachment[];
  restore(attachments: Attachment[]): void;
};

export function useAttachments(): Attachments {
  const [attachments, setAttachments] = useState<Attachment[]>([]);
  const [preparing, setPreparing] = useState(0);
  const [problem, setProblem] = useState<string | null>(null);
  const current = useRef<Attachment[]>([]);
  current.current = attachments;
  const slots = useRef(0);
  slots.current = MAX_IMAGES - attachments.length - preparing;

  const add = useCallback((given: Iterable<File>) => {
    const files = [...given];
    if (files.length === 0) return;
    const fits = files.slice(0, Math.max(0, slots.current));
    const problems = files.length > fits.length ? [`At most ${MAX_IMAGES} images per message`] : [];
    setProblem(problems[0] ?? null);
    if (fits.length === 0) return;
    slots.current -= fits.length;
    setPreparing((count) => count + fits.length);
    void Promise.allSettled(fits.map(prepareImage)).then((results) => {
      const ready = results.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
      const refused = results.flatMap((result) => (result.status === "rejected" ? [String((result.reason as Error).message)] : []));
      setPreparing((count) => count - fits.length);
      setAttachments((kept) => [...kept, ...ready]);
      if (refused.length + problems.length > 0) setProblem([...refused, ...problems].join(". "));
    });
  }, []);

  const remove = useCallback((id: string) => {
    setAttachments((kept) => kept.filter((attachment) => attachment.id !== id));
    setProblem(null);
  }, []);

  const take = useCallback(() => {
    const taken = current.current;
    setAttachments([]);
    setProblem(null);
    return taken;
  }, []);

  const restore = useCallback((taken: Attachment[]) => setAttachments((kept) => [...taken, ...kept]), []);
  return { attachments, preparing, problem, add, remove, take, restore };
}
