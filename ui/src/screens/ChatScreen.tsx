// The chat: messages as they stream, tool calls as cards, approvals, the composer and the
// interrupt button. Model text is sanitized markdown; tool input and output are plain text.
import { type FormEvent, type KeyboardEvent, Suspense, lazy, useState } from "react";

import { useChat } from "../chat/hooks";
import type { Approval, Part } from "../gen/protocol";
import type { TetherClient } from "../protocol/client";

type Props = { client: TetherClient; sessionId: string; back(): void };

/** Markdown and its highlighter load with the first chat, not with the first page. */
const Markdown = lazy(() => import("../components/Markdown").then((module) => ({ default: module.Markdown })));

export function ChatScreen({ client, sessionId, back }: Props) {
  const chat = useChat(client, sessionId);
  const [draft, setDraft] = useState("");

  function submit(event?: FormEvent) {
    event?.preventDefault();
    const text = draft.trim();
    if (!text) return;
    setDraft("");
    void chat.send(text);
  }

  function keys(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Enter" && !event.shiftKey) submit();
  }

  const decide = (approval: Approval, method: "tools.approve" | "tools.reject", always = false) =>
    void client.request(method, { session_id: sessionId, request_id: approval.request_id, ...(always ? { always } : {}) });

  const session = chat.view?.session;
  return (
    <main className="chat">
      <header className="chat-header">
        <button onClick={back} aria-label="Back to sessions">←</button>
        <span className={`badge badge-${session?.status ?? "starting"}`}>{session?.status.replace("_", " ") ?? "loading"}</span>
        {session && <span className="cost">${session.total_cost_usd.toFixed(4)}</span>}
        {chat.isStreaming && (
          <button className="interrupt" onClick={() => void client.request("messages.cancel", { session_id: sessionId })}>
            Interrupt
          </button>
        )}
      </header>
      {chat.problem && <p className="error" role="alert">{chat.problem}</p>}
      <ol className="messages" aria-live="polite">
        {chat.view?.messages.map((message) => (
          <li key={message.id} className={`message message-${message.role}`}>
            {message.parts.map((part) => (
              <PartView key={part.id} part={part} role={message.role} />
            ))}
          </li>
        ))}
      </ol>
      {chat.view?.approvals.map((approval) => (
        <div key={approval.request_id} className="approval" role="alertdialog" aria-label={`Allow ${approval.tool_name}?`}>
          <p>
            Claude wants to use <strong>{approval.tool_name}</strong>
          </p>
          <pre>{JSON.stringify(approval.input, null, 2)}</pre>
          <div className="actions">
            <button onClick={() => decide(approval, "tools.approve")}>Allow once</button>
            <button onClick={() => decide(approval, "tools.approve", true)}>Always allow</button>
            <button className="deny" onClick={() => decide(approval, "tools.reject")}>Deny</button>
          </div>
        </div>
      ))}
      <form className="composer" onSubmit={submit}>
        <textarea value={draft} onChange={(e) => setDraft(e.target.value)} onKeyDown={keys} placeholder="Message Claude…" aria-label="Message" rows={2} />
        <button type="submit" disabled={!draft.trim()}>Send</button>
      </form>
    </main>
  );
}

function PartView({ part, role }: { part: Part; role: "user" | "assistant" }) {
  if (part.kind === "text") {
    const plain = <p className="text">{part.text}</p>;
    if (role === "user") return plain;
    return (
      <Suspense fallback={plain}>
        <Markdown text={part.text} />
      </Suspense>
    );
  }
  return (
    <details className={`tool ${part.result?.is_error ? "tool-error" : ""}`}>
      <summary>{part.name}</summary>
      <pre>{JSON.stringify(part.input, null, 2)}</pre>
      {part.result && <pre>{typeof part.result.content === "string" ? part.result.content : JSON.stringify(part.result.content, null, 2)}</pre>}
    </details>
  );
}
