// The composer's menu of slash commands or files, above the box: a listbox the box controls
// (arrows move, Enter or Tab chooses, Escape closes), each option also a tap target.
import type { Suggestions } from "../chat/useSuggestions";

type Props = { suggestions: Suggestions; id: string; choose(index: number): void };

export function SuggestionMenu({ suggestions, id, choose }: Props) {
  const { trigger, items, active, note } = suggestions;
  if (!trigger) return null;
  const label = trigger.kind === "command" ? "Commands" : "Files";
  return (
    <div className="suggestions">
      {note && <p className="hint suggestions-note" role="status">{note}</p>}
      {items.length > 0 && (
        <ul id={id} role="listbox" aria-label={label}>
          {items.map((item, index) => (
            <li
              key={item.key}
              id={`${id}-${index}`}
              role="option"
              aria-selected={index === active}
              onMouseDown={(event) => event.preventDefault()}
              onClick={() => choose(index)}
            >
              <span className="suggestion-label">{item.label}</span>
              <span className="suggestion-detail">{item.detail}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
