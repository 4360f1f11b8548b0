//! Projects: the directories the desktop user allowed. Sessions run only inside one of them.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use rand::Rng;

use tether_protocol::Project;
use tether_store::{Row, Store};

#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("{path} is not a directory: {cause}")]
    NotADirectory {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("no project has the id {0:?}")]
    NotFound(String),
}

/// The most projects kept for one machine.
pub const MAX_PER_MACHINE: usize = 1000;

pub struct Projects {
    all: Mutex<Vec<Project>>,
    store: Store,
}

impl Projects {
    /// The projects saved in `store`; changes are saved there too.
    pub fn load(store: Store) -> Self {
        Self {
            all: Mutex::new(store.loaded("projects", store.projects())),
            store,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Project>> {
        // Projects are added and removed whole: a poisoned list is still consistent.
        self.all.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Registers a directory (resolved to its canonical path); adding it again returns the same project.
    pub fn add(&self, path: &Path) -> Result<Project, ProjectError> {
        let not_a_directory = |cause| ProjectError::NotADirectory {
            path: path.to_path_buf(),
            cause,
        };
        let path = path.canonicalize().map_err(not_a_directory)?;
        if !path.is_dir() {
            return Err(not_a_directory(std::io::Error::other("it is a file")));
        }
        let mut all = self.lock();
        if let Some(existing) =
            (all.iter()).find(|project| project.path == path && project.machine.is_none())
        {
            return Ok(existing.clone());
        }
        let project = Project {
            id: format!("{:08x}", rand::rng().random::<u32>()),
            name: path.file_name().map_or_else(
                || path.display().to_string(),
                |name| name.to_string_lossy().into_owned(),
            ),
            path,
            added_at: tether_protocol::clock::unix_now(),
            machine: None,
        };
        all.push(project.clone());
        self.store.save(Row::Project(project.clone()));
        Ok(project)
    }

    /// The project of this computer whose folder is `path` (canonical), if there is one.
    pub fn find(&self, path: &Path) -> Option<Project> {
        self.lock()
            .iter()
            .find(|project| project.path == path && project.machine.is_none())
            .cloned()
    }

    /// Keeps the projects `machine` offers as projects on it, and returns those new to the
    /// hub. An id the hub already holds for this computer or another machine is not taken
    /// over: a machine speaks for its own projects only.
    pub fn offered(&self, machine: &str, offered: Vec<Project>) -> Vec<Project> {
        let mut all = self.lock();
        let mut added = Vec::new();
        let mut held = (all.iter())
            .filter(|project| project.machine.as_deref() == Some(machine))
            .count();
        for mut project in offered {
            project.machine = Some(machine.to_owned());
            let same_folder = all.iter().any(|held| {
                held.machine.as_deref() == Some(machine)
                    && held.path == project.path
                    && held.id != project.id
            });
            match all.iter_mut().find(|held| held.id == project.id) {
                Some(held) if held.machine.as_deref() == Some(machine) => {
                    if *held != project {
                        *held = project.clone();
                        self.store.save(Row::Project(project));
                    }
                }
                Some(_) => {
                    tracing::warn!(machine, project = %project.id, "a machine offered a project id that is not its own");
                }
                None if same_folder => {}
                None if held >= MAX_PER_MACHINE => {
                    tracing::warn!(machine, "a machine offered more projects than are kept");
                    break;
                }
                None => {
                    held += 1;
                    self.store.save(Row::Project(project.clone()));
                    all.push(project.clone());
                    added.push(project);
                }
            }
        }
        added
    }

    pub fn get(&self, id: &str) -> Result<Project, ProjectError> {
        self.lock()
            .iter()
            .find(|project| project.id == id)
            .cloned()
            .ok_or_else(|| ProjectError::NotFound(id.to_owned()))
    }

    pub fn list(&self) -> Vec<Project> {
        self.lock().clone()
    }

    pub fn remove(&self, id: &str) -> Result<Project, ProjectError> {
        let mut all = self.lock();
        let index = all
            .iter()
            .position(|project| project.id == id)
            .ok_or_else(|| ProjectError::NotFound(id.to_owned()))?;
        self.store.save(Row::ProjectRemoved(id.to_owned()));
        Ok(all.remove(index))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn directories_only_once_each_and_by_canonical_path() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), Default::default());
        let projects = Projects::load(store.clone());
        let first = projects.add(dir.path()).unwrap();
        let again = projects.add(&dir.path().join(".")).unwrap();
        assert_eq!(first, again);
        assert_eq!(projects.list().len(), 1);
        let file = dir.path().join("file");
        std::fs::write(&file, "").unwrap();
        assert!(projects.add(&file).is_err());
        assert!(projects.add(&dir.path().join("missing")).is_err());
        store.flush().await.unwrap();
        assert_eq!(Projects::load(store.clone()).list(), vec![first.clone()]);
        assert_eq!(projects.remove(&first.id).unwrap(), first);
        assert!(matches!(
            projects.get(&first.id),
            Err(ProjectError::NotFound(_))
        ));
        store.flush().await.unwrap();
        assert!(Projects::load(store).list().is_empty());
    }

    #[tokio::test]
    async fn a_machine_speaks_for_its_own_projects_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), Default::default());
        let projects = Projects::load(store.clone());
        let local = projects.add(dir.path()).unwrap();
        let offered = |id: &str, path: &str| Project {
            id: id.to_owned(),
            name: "api".to_owned(),
            path: path.into(),
            added_at: 1,
            machine: None,
        };
        let added = projects.offered("m1", vec![offered("r1", "/srv/api")]);
        assert_eq!(added.len(), 1);
        assert_eq!(added[0].machine.as_deref(), Some("m1"));
        // Offered again: nothing new. Another machine's claim on its id, or on this
        // computer's project, changes nothing.
        assert!(
            projects
                .offered("m1", vec![offered("r1", "/srv/api")])
                .is_empty()
        );
        assert!(
            projects
                .offered("m2", vec![offered("r1", "/evil")])
                .is_empty()
        );
        assert!(
            projects
                .offered("m2", vec![offered(&local.id, "/evil")])
                .is_empty()
        );
        assert_eq!(projects.get("r1").unwrap().path, PathBuf::from("/srv/api"));
        assert_eq!(projects.get(&local.id).unwrap(), local);
        // The same folder on two machines is two projects; the hub's own folder is not one.
        let same_folder = offered("r2", &dir.path().to_string_lossy());
        assert_eq!(projects.offered("m2", vec![same_folder]).len(), 1);
        assert_eq!(
            projects.find(&dir.path().canonicalize().unwrap()),
            Some(local)
        );
        store.flush().await.unwrap();
        assert_eq!(
            Projects::load(store).list().len(),
            3,
            "kept with their machines"
        );
    }
}
