// Images for a prompt: the type read from the file's first bytes (never its name or declared
// type), and the picture made as large as the model uses and no larger. The Anthropic API
// scales down anything past 1568 pixels on the long edge or about 1.2 megapixels (1,600
// tokens), so sending more only costs time on a phone's connection.
import type { ImageUpload } from "../gen/protocol";

export type MediaType = "image/png" | "image/jpeg" | "image/gif" | "image/webp";

/** Images one prompt may carry here (the engine takes more; a message must fit one frame). */
export const MAX_IMAGES = 4;
/** The largest file this device will try to open. */
export const MAX_SOURCE_BYTES = 40 * 1024 * 1024;
/** The largest prepared image, in bytes. */
export const MAX_IMAGE_BYTES = 1_000_000;
/** The long edge and the pixel count past which the API scales an image down. */
export const MAX_EDGE = 1568;
export const MAX_PIXELS = 1_200_000;

/** An image ready to send, with what the composer shows of it. */
export type Attachment = ImageUpload & {
  id: string;
  name: string;
  width: number;
  height: number;
  bytes: number;
};

/** The image type the bytes start with, if it is one the model takes. */
export function sniff(head: Uint8Array): MediaType | null {
  const starts = (...bytes: number[]) => bytes.every((byte, index) => head[index] === byte);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "image/png";
  if (starts(0xff, 0xd8, 0xff)) return "image/jpeg";
  if (starts(0x47, 0x49, 0x46, 0x38)) return "image/gif";
  const riff = starts(0x52, 0x49, 0x46, 0x46);
  const webp = [0x57, 0x45, 0x42, 0x50].every((byte, index) => head[8 + index] === byte);
  return riff && webp ? "image/webp" : null;
}

/** The size an image is sent at: the same, or scaled down to the API's limits. */
export function fitted(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, MAX_EDGE / Math.max(width, height), Math.sqrt(MAX_PIXELS / (width * height)));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Prepares a file to send, or throws an Error whose message says why it cannot go. */
export async function prepareImage(file: File): Promise<Attachment> {
  const name = file.name || "pasted image";
  if (file.size > MAX_SOURCE_BYTES) throw new Error(`“${name}” is larger than ${MAX_SOURCE_BYTES / 1024 / 1024} MB`);
  const mediaType = sniff(new Uint8Array(await file.slice(0, 12).arrayBuffer()));
  if (!mediaType) throw new Error(`“${name}” is not a PNG, JPEG, GIF or WebP image`);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new Error(`“${name}” is damaged: it does not open as an image`);
  }
  const size = fitted(bitmap.width, bitmap.height);
  let blob: Blob = file;
  let type: MediaType = mediaType;
  if (size.width !== bitmap.width || size.height !== bitmap.height || file.size > MAX_IMAGE_BYTES) {
    [blob, type] = await redraw(bitmap, size, mediaType);
  }
  bitmap.close();
  if (blob.size > MAX_IMAGE_BYTES) throw new Error(`“${name}” stays larger than ${MAX_IMAGE_BYTES / 1_000_000} MB even made smaller`);
  return {
    id: crypto.randomUUID(),
    name,
    media_type: type,
    data: await base64(blob),
    ...size,
    bytes: blob.size,
  };
}

/** Draws the picture at `size` and encodes it: a photo as JPEG, anything else as PNG unless
 * that is too large, stepping the JPEG quality down until it fits. */
async function redraw(bitmap: ImageBitmap, size: { width: number; height: number }, source: MediaType): Promise<[Blob, MediaType]> {
  const canvas = new OffscreenCanvas(size.width, size.height);
  const context = canvas.getContext("2d");
  if (!context) throw new Error("this browser cannot resize images");
  if (source !== "image/jpeg") {
    context.drawImage(bitmap, 0, 0, size.width, size.height);
    const png = await canvas.convertToBlob({ type: "image/png" });
    if (png.size <= MAX_IMAGE_BYTES) return [png, "image/png"];
  }
  // JPEG has no transparency: what was clear becomes white, not black.
  context.fillStyle = "#fff";
  context.fillRect(0, 0, size.width, size.height);
  context.drawImage(bitmap, 0, 0, size.width, size.height);
  let jpeg = await canvas.convertToBlob({ type: "image/jpeg", quality: 0.85 });
  for (const quality of [0.7, 0.55, 0.4]) {
    if (jpeg.size <= MAX_IMAGE_BYTES) break;
    jpeg = await canvas.convertToBlob({ type: "image/jpeg", quality });
  }
  return [jpeg, "image/jpeg"];
}

function base64(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ""));
    reader.onerror = () => reject(new Error("the image could not be read"));
    reader.readAsDataURL(blob);
  });
}

/** What the engine is sent of the attachments. */
export function uploads(attachments: Attachment[]): ImageUpload[] {
  return attachments.map(({ media_type, data }) => ({ media_type, data }));
}
