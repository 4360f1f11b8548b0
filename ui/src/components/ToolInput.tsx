// What a tool is asked to do: the diffs of an edit, or its input as text.
import { editsOf } from "../chat/tools";
import { DiffView } from "./DiffView";

export function ToolInput({ name, input }: { name: string; input: unknown }) {
  const edits = editsOf(name, input);
  if (edits === null) return <pre className="tool-input">{JSON.stringify(input, null, 2)}</pre>;
  return (
    <>
      {edits.map((edit, index) => (
        <DiffView key={index} edit={edit} />
      ))}
    </>
  );
}
