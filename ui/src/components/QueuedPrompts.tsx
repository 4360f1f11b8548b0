// The prompts waiting for Claude to finish, above the composer: each editable in place and
// removable until it is sent.
import { Pencil, X } from "lucide-react";
import { useState } from "react";

import type { Queue } from "../chat/useQueuedPrompts";

export function QueuedPrompts({ queue }: { queue: Queue }) {
  const [editing, setEditing] = useState<{ id: string; text: string } | null>(null);
  if (queue.queued.length === 0) return null;
  return (
    <section className="queued" aria-label="Waiting to be sent">
      <p className="hint">Sent when Claude finishes, in this order:</p>
      {queue.problem && <p className="error" role="alert">{queue.problem}</p>}
      <ol>
        {queue.queued.map((item, index) => (
          <li key={item.id}>
            {editing?.id === item.id ? (
              <form
                onSubmit={(event) => {
                  event.preventDefault();
                  if (editing.text.trim()) queue.edit(item.id, editing.text.trim());
                  setEditing(null);
                }}
              >
                <textarea value={editing.text} onChange={(event) => setEditing({ id: item.id, text: event.target.value })} aria-label={`Queued text ${index + 1}`} rows={2} />
                <button type="submit">Save</button>
                <button type="button" onClick={() => setEditing(null)}>Cancel</button>
              </form>
            ) : (
              <>
                <span className="queued-text">
                  {item.text || "(images only)"}
                  {item.images.length > 0 && ` · ${item.images.length} image${item.images.length === 1 ? "" : "s"}`}
                </span>
                <button className="icon" onClick={() => setEditing({ id: item.id, text: item.text })} aria-label={`Edit queued ${index + 1}`} title="Edit">
                  <Pencil size={16} aria-hidden="true" />
                </button>
                <button className="icon" onClick={() => queue.remove(item.id)} aria-label={`Remove queued ${index + 1}`} title="Remove">
                  <X size={16} aria-hidden="true" />
                </button>
              </>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
