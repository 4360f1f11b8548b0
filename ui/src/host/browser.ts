// The browser's side of the host: where the engine is (the page's own origin), and the
// device token this browser paired with, kept in its local storage.
import type { Connect } from "./transport";
import { webSocketHost } from "./ws";

const TOKEN_KEY = "tether.token";

/** The token this browser paired with, if any. */
export function savedToken(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

export function saveToken(token: string): void {
  localStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken(): void {
  localStorage.removeItem(TOKEN_KEY);
}

/** The engine's WebSocket on the page's own origin. */
export function browserHost(token: string): Connect {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return webSocketHost(`${scheme}://${location.host}/ws`, token);
}

/** The pairing code from a link such as `/#pair=CODE`. */
export function pairingCode(hash: string): string | null {
  return new URLSearchParams(hash.replace(/^#/, "")).get("pair");
}

/** Presents a pairing code; resolves to the device token once the desktop user approves. */
export async function pair(code: string, name: string): Promise<string> {
  const response = await fetch("/api/pair", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ code, name }),
  });
  const body = (await response.json()) as { token?: string; message?: string };
  if (!response.ok || !body.token) throw new Error(body.message ?? `pairing failed (${response.status})`);
  return body.token;
}
