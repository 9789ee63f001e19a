//! Where media live on disk: `<data dir>/media/<project>/<kind>/<id>/…`.
//! Modules build their paths here and do their own streaming I/O.

use std::path::PathBuf;

/// The media root.
#[derive(Debug, Clone)]
pub(crate) struct MediaStore {
    root: PathBuf,
}

impl MediaStore {
    pub(crate) fn new(root: PathBuf) -> Self {
        Self { root }
    }

    /// The directory of one resource's media, e.g. a video's source
    /// chunks and thumbnail. Not created.
    pub(crate) fn dir(&self, project: &str, kind: &str, id: &str) -> PathBuf {
        self.root.join(project).join(kind).join(id)
    }

    /// The directory for files being written before they are complete.
    pub(crate) fn tmp(&self) -> PathBuf {
        self.root.join("tmp")
    }
}
