// A session as the UI shows it: a snapshot from `sessions.get`, then each event of its
// channel applied on top, immutably (React compares by reference).
import type { Approval, Message, SessionEvent, SessionInfo, SessionSnapshot, Todo } from "../gen/protocol";

export type SessionView = {
  session: SessionInfo;
  messages: Message[];
  approvals: Approval[];
  todos: Todo[];
};

export function fromSnapshot(snapshot: SessionSnapshot): SessionView {
  const { session, messages, approvals, todos } = snapshot;
  return { session, messages, approvals, todos };
}

/** Whether a turn is under way: the answer may still grow. */
export function isStreaming(view: SessionView): boolean {
  return ["starting", "running", "awaiting_approval"].includes(view.session.status);
}

/** Whether the engine can interrupt the turn now (a stalled one is stopped). */
export function canInterrupt(view: SessionView): boolean {
  return ["running", "awaiting_approval", "stalled"].includes(view.session.status);
}

/** The view after `event`; events this view does not show leave it as it was. */
export function apply(view: SessionView, { event, data }: SessionEvent): SessionView {
  switch (event) {
    case "message.created": {
      const { message } = data;
      if (view.messages.some((known) => known.id === message.id)) return view;
      return { ...view, messages: [...view.messages, message] };
    }
    case "part.created":
      return withMessage(view, data.message_id, (message) => ({ ...message, parts: [...message.parts, data.part] }));
    case "part.delta":
      return withMessage(view, data.message_id, (message) => ({
        ...message,
        parts: message.parts.map((part) =>
          part.kind === "text" && part.id === data.part_id ? { ...part, text: part.text + data.text } : part,
        ),
      }));
    case "part.updated": {
      const updated = data.part;
      return withMessage(view, data.message_id, (message) => ({
        ...message,
        parts: message.parts.some((part) => part.id === updated.id)
          ? message.parts.map((part) => (part.id === updated.id ? updated : part))
          : [...message.parts, updated],
      }));
    }
    case "session.updated":
      return { ...view, session: data.session };
    case "usage.updated":
    case "session.ended":
      return { ...view, session: { ...view.session, usage: data.usage, total_cost_usd: data.total_cost_usd } };
    case "tool.approval_required":
      return { ...view, approvals: [...view.approvals, data.approval] };
    case "tool.approval_resolved":
      return { ...view, approvals: view.approvals.filter((approval) => approval.request_id !== data.request_id) };
    case "todo.updated":
      return { ...view, todos: data.todos };
    case "agents.updated":
      return view;
    default: {
      // Every event of the union is handled above; one from a newer engine changes nothing.
      const unknown: never = event;
      void unknown;
      return view;
    }
  }
}

function withMessage(view: SessionView, id: string, change: (message: Message) => Message): SessionView {
  if (!view.messages.some((message) => message.id === id)) return view;
  return { ...view, messages: view.messages.map((message) => (message.id === id ? change(message) : message)) };
}
