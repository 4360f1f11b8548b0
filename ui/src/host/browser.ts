// The browser's side of the host: where the engine is (the page's own origin), and what this
// browser keeps in its local storage: the device token it paired with, and the prompts still
// waiting to be sent (so they outlive a restart of the app while the desktop is unreachable).
import type { PromptStore, WaitingPrompt } from "../protocol/client";
import type { Connect } from "./transport";
import { webSocketHost } from "./ws";

const TOKEN_KEY = "tether.token";
const PROMPTS_KEY = "tether.prompts";
const REACHED_KEY = "tether.reached";

/** The prompts waiting to be sent, in this browser's local storage; each change reads the
 * list afresh, so tabs keep each other's. */
export const browserPrompts: PromptStore = {
  load: readPrompts,
  add(prompt: WaitingPrompt): void {
    writePrompts([...readPrompts().filter((kept) => kept.clientId !== prompt.clientId), prompt]);
  },
  remove(clientId: string): void {
    writePrompts(readPrompts().filter((kept) => kept.clientId !== clientId));
  },
  lastReached(): number | null {
    const at = Number(localStorage.getItem(REACHED_KEY));
    return Number.isFinite(at) && at > 0 ? at : null;
  },
  reached(at: number): void {
    try {
      localStorage.setItem(REACHED_KEY, String(at));
    } catch {
      // Only "since when" is lost.
    }
  },
};

function readPrompts(): WaitingPrompt[] {
  try {
    const kept: unknown = JSON.parse(localStorage.getItem(PROMPTS_KEY) ?? "[]");
    return Array.isArray(kept) ? kept.filter(isWaitingPrompt) : [];
  } catch {
    return [];
  }
}

/** Keeps `prompts`; when the storage is full they wait in memory only (and say so). */
function writePrompts(prompts: WaitingPrompt[]): void {
  try {
    if (prompts.length === 0) localStorage.removeItem(PROMPTS_KEY);
    else localStorage.setItem(PROMPTS_KEY, JSON.stringify(prompts));
  } catch (error) {
    console.warn(`waiting prompts cannot be kept across a restart: ${String(error)}`);
  }
}

function isWaitingPrompt(value: unknown): value is WaitingPrompt {
  const prompt = value as Partial<WaitingPrompt> | null;
  return typeof prompt?.clientId === "string" && typeof prompt.sessionId === "string" && typeof prompt.text === "string";
}

/** The token this browser paired with, if any. */
export function savedToken(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

export function saveToken(token: string): void {
  localStorage.setItem(TOKEN_KEY, token);
}

/** Forgets the token, and the prompts it would have sent. */
export function forgetToken(): void {
  localStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(PROMPTS_KEY);
  localStorage.removeItem(REACHED_KEY);
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
