//! The session's todo list, kept from whichever tools the CLI offers the model: a TodoWrite
//! call replaces the list at once; a TaskCreate or TaskUpdate call changes it once its result
//! says it worked (a failed call changes nothing).

use serde_json::{Value, json};

use super::{Emit, Transcript, emit};
use crate::supervisor::cli_line::ToolResult;
use crate::supervisor::model::Todo;

/// A task call waiting for its result.
pub(super) enum TaskCall {
    /// The task to add; its id comes with the result.
    Create(Todo),
    /// The input of a TaskUpdate: `taskId`, and the `status`, `subject` or `activeForm` to set.
    Update(Value),
}

fn text(value: &Value) -> Option<String> {
    value.as_str().map(str::to_owned)
}

impl Transcript {
    /// A tool call the todo list follows, as the model made it.
    pub(super) fn todo_call(&mut self, tool_use_id: &str, name: &str, input: &Value) -> Vec<Emit> {
        let call = match name {
            "TodoWrite" => return self.todos_written(input),
            "TaskCreate" => TaskCall::Create(Todo {
                id: None,
                content: text(&input["subject"]).unwrap_or_default(),
                status: "pending".to_owned(),
                active_form: text(&input["activeForm"]),
            }),
            "TaskUpdate" => TaskCall::Update(input.clone()),
            _ => return Vec::new(),
        };
        self.task_calls.insert(tool_use_id.to_owned(), call);
        Vec::new()
    }

    /// A tool result: applies the task call it answers, when that call worked.
    pub(super) fn todo_result(&mut self, result: &ToolResult) -> Vec<Emit> {
        let Some(call) = self.task_calls.remove(&result.tool_use_id) else {
            return Vec::new();
        };
        if result.is_error {
            return Vec::new();
        }
        match call {
            TaskCall::Create(mut todo) => {
                todo.id = text(&result.details["task"]["id"]);
                self.todos.push(todo);
            }
            TaskCall::Update(input) => {
                let id = input["taskId"].as_str();
                let Some(index) = self
                    .todos
                    .iter()
                    .position(|todo| todo.id.is_some() && todo.id.as_deref() == id)
                else {
                    return Vec::new();
                };
                if input["status"] == "deleted" {
                    self.todos.remove(index);
                } else {
                    let todo = &mut self.todos[index];
                    if let Some(status) = text(&input["status"]) {
                        todo.status = status;
                    }
                    if let Some(subject) = text(&input["subject"]) {
                        todo.content = subject;
                    }
                    if let Some(active_form) = text(&input["activeForm"]) {
                        todo.active_form = Some(active_form);
                    }
                }
            }
        }
        vec![self.todos_updated()]
    }

    fn todos_written(&mut self, input: &Value) -> Vec<Emit> {
        match serde_json::from_value::<Vec<Todo>>(input["todos"].clone()) {
            Ok(todos) => {
                self.todos = todos;
                vec![self.todos_updated()]
            }
            Err(error) => {
                tracing::warn!(%error, "TodoWrite input was not a todo list");
                Vec::new()
            }
        }
    }

    fn todos_updated(&self) -> Emit {
        emit("todo.updated", json!({ "todos": self.todos }))
    }
}
