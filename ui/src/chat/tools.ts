// What a tool call is about, in a line, and the file edits it makes, for the cards and the
// approval prompt. Inputs come from the model: nothing here trusts their shape.

/** A change to a file; `whole` when it replaces the file's content, whatever it was. */
export type FileEdit = { path: string; before: string; after: string; whole?: boolean };

type Input = Record<string, unknown>;

const text = (value: unknown): string => (typeof value === "string" ? value : "");

/** The one line a card shows after the tool's name: its command, file, pattern or address. */
export function toolSummary(name: string, input: unknown): string {
  const fields = (input ?? {}) as Input;
  switch (name) {
    case "Bash":
      return text(fields.command);
    case "Read":
    case "Edit":
    case "MultiEdit":
    case "Write":
      return text(fields.file_path);
    case "NotebookEdit":
      return text(fields.notebook_path);
    case "Glob":
    case "Grep":
      return text(fields.pattern);
    case "WebFetch":
      return text(fields.url);
    case "WebSearch":
      return text(fields.query);
    case "Task":
      return text(fields.description);
    case "TodoWrite":
      return Array.isArray(fields.todos) ? `${fields.todos.length} items` : "";
    case "TaskCreate":
      return text(fields.subject);
    case "TaskUpdate":
      return [`#${text(fields.taskId)}`, text(fields.status) || text(fields.subject)].filter(Boolean).join(" ");
    default:
      return "";
  }
}

/** How a call's input is best shown: the diffs of its edits, the command it runs, or as JSON. */
export type InputView = { kind: "edits"; edits: FileEdit[] } | { kind: "command"; command: string } | { kind: "json" };

export function inputView(name: string, input: unknown): InputView {
  const edits = editsOf(name, input);
  if (edits !== null) return { kind: "edits", edits };
  const command = name === "Bash" ? text(((input ?? {}) as Input).command) : "";
  return command ? { kind: "command", command } : { kind: "json" };
}

/** The edits an Edit, MultiEdit or Write call makes; `null` for other tools. */
export function editsOf(name: string, input: unknown): FileEdit[] | null {
  const fields = (input ?? {}) as Input;
  const path = text(fields.file_path);
  switch (name) {
    case "Edit":
      return [{ path, before: text(fields.old_string), after: text(fields.new_string) }];
    case "MultiEdit":
      return Array.isArray(fields.edits)
        ? fields.edits.map((edit: Input) => ({ path, before: text(edit?.old_string), after: text(edit?.new_string) }))
        : null;
    case "Write":
      return [{ path, before: "", after: text(fields.content), whole: true }];
    default:
      return null;
  }
}

/** A tool result's content as text: a string, or the text blocks of a content array. */
export function resultText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((block: Input) => (block?.type === "text" ? text(block.text) : `[${text(block?.type) || "content"}]`))
      .join("\n");
  }
  return JSON.stringify(content, null, 2);
}
