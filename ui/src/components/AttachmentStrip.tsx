// The images a message will carry, as thumbnails above the composer, each removable.
import { X } from "lucide-react";

import type { Attachment } from "../chat/images";

type Props = { attachments: Attachment[]; preparing: number; remove(id: string): void };

export function AttachmentStrip({ attachments, preparing, remove }: Props) {
  if (attachments.length === 0 && preparing === 0) return null;
  return (
    <ul className="attachment-strip" aria-label="Images to send">
      {attachments.map((attachment) => (
        <li key={attachment.id} className="attachment-thumb">
          <img src={`data:${attachment.media_type};base64,${attachment.data}`} alt={attachment.name} title={`${attachment.name}, ${attachment.width}×${attachment.height}, ${kilobytes(attachment.bytes)}`} />
          <button type="button" className="icon" onClick={() => remove(attachment.id)} aria-label={`Remove ${attachment.name}`}>
            <X size={14} aria-hidden="true" />
          </button>
        </li>
      ))}
      {preparing > 0 && (
        <li className="attachment-thumb preparing" role="status">
          Preparing {preparing === 1 ? "an image" : `${preparing} images`}…
        </li>
      )}
    </ul>
  );
}

const kilobytes = (bytes: number) => `${Math.max(1, Math.round(bytes / 1024))} kB`;
