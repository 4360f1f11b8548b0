// What a tool is asked to do: the diffs of an edit, the command it runs, or its input as text.
import { inputView } from "../chat/tools";
import { DiffView } from "./DiffView";

export function ToolInput({ name, input }: { name: string; input: unknown }) {
  const view = inputView(name, input);
  switch (view.kind) {
    case "edits":
      return (
        <>
          {view.edits.map((edit, index) => (
            <DiffView key={index} edit={edit} />
          ))}
        </>
      );
    case "command":
      return <pre className="tool-input">$ {view.command}</pre>;
    case "json":
      return <pre className="tool-input">{JSON.stringify(input, null, 2)}</pre>;
  }
}
