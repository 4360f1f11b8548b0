// The model's todo list, as its TodoWrite calls leave it: done, under way, still to do.
import type { Todo } from "../gen/protocol";

const MARKS: Record<string, string> = { completed: "✓", in_progress: "◐", pending: "○" };

export function TodoList({ todos }: { todos: Todo[] }) {
  if (todos.length === 0) return null;
  const done = todos.filter((todo) => todo.status === "completed").length;
  return (
    <details className="todos" open>
      <summary>
        Todo list · {done} of {todos.length} done
      </summary>
      <ol>
        {todos.map((todo, index) => (
          <li key={index} className={`todo todo-${todo.status}`}>
            <span aria-hidden="true">{MARKS[todo.status] ?? "○"}</span>{" "}
            {todo.status === "in_progress" && todo.activeForm ? todo.activeForm : todo.content}
            <span className="visually-hidden"> ({todo.status.replace("_", " ")})</span>
          </li>
        ))}
      </ol>
    </details>
  );
}
