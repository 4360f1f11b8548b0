//! The session's todo list, kept from whichever tools the CLI offers the model: a TodoWrite
//! call replaces the list at once; a TaskCreate or TaskUpdate call changes it once its result
//! says it worked (a failed or refused call changes nothing). The result says so in its
//! structured details (`task.id`, `success`) or, when a line carries several results and so no
//! details, in its text (`Task #3 created successfully…`, `Updated task #3…`).

use serde_json::Value;

use super::SessionReducer;
use crate::supervisor::stream_json::ToolResult;
use tether_protocol::events::SessionEvent;
use tether_protocol::model::Todo;

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

impl SessionReducer {
    /// A tool call the todo list follows, as the model made it.
    pub(super) fn todo_call(
        &mut self,
        tool_use_id: &str,
        name: &str,
        input: &Value,
    ) -> Vec<SessionEvent> {
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
    pub(super) fn todo_result(&mut self, result: &ToolResult) -> Vec<SessionEvent> {
        let Some(call) = self.task_calls.remove(&result.tool_use_id) else {
            return Vec::new();
        };
        if result.is_error {
            return Vec::new();
        }
        let said = result.content.as_str().unwrap_or_default();
        let mut todos = self.view.todos.clone();
        match call {
            TaskCall::Create(mut todo) => {
                let Some(id) = text(&result.details["task"]["id"]).or_else(|| created_id(said))
                else {
                    return Vec::new();
                };
                // A new task list (say, after a resume) starts its ids again: the newest wins.
                todos.retain(|known| known.id.as_deref() != Some(id.as_str()));
                todo.id = Some(id);
                todos.push(todo);
            }
            TaskCall::Update(input) => {
                let worked = match &result.details {
                    Value::Null => said.starts_with("Updated task #"),
                    details => details["success"] == true,
                };
                if !worked {
                    return Vec::new();
                }
                let id = input["taskId"].as_str();
                let Some(index) = todos
                    .iter()
                    .position(|todo| todo.id.is_some() && todo.id.as_deref() == id)
                else {
                    return Vec::new();
                };
                if input["status"] == "deleted" {
                    todos.remove(index);
                } else {
                    let todo = &mut todos[index];
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
        self.set_todos(todos)
    }

    fn todos_written(&mut self, input: &Value) -> Vec<SessionEvent> {
        match serde_json::from_value::<Vec<Todo>>(input["todos"].clone()) {
            Ok(todos) => self.set_todos(todos),
            Err(error) => {
                tracing::warn!(%error, "TodoWrite input was not a todo list");
                Vec::new()
            }
        }
    }
}

/// The id in a TaskCreate result's text, `Task #ID created successfully: …`.
fn created_id(said: &str) -> Option<String> {
    let rest = said.strip_prefix("Task #")?;
    let (id, tail) = rest.split_once(' ')?;
    tail.starts_with("created successfully")
        .then(|| id.to_owned())
}
