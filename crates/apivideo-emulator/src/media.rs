//! Where media live on disk: `<data dir>/media/<project>/<kind>/<id>/…`.
//! Modules build their paths here and do their own streaming I/O; the
//! durable moves and writes (file, then directory, synced) are here too.

use std::path::{Path, PathBuf};

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

/// Moves a synced temporary file to `dest` (creating its directory) and
/// syncs the directory, so the file survives a crash once this returns.
pub(crate) async fn persist(file: tempfile::TempPath, dest: PathBuf) -> std::io::Result<()> {
    blocking(move || {
        let dir = dest.parent().map(Path::to_path_buf).unwrap_or_default();
        std::fs::create_dir_all(&dir)?;
        file.persist(&dest).map_err(|e| e.error)?;
        sync_dir(&dir)
    })
    .await
}

/// Writes `bytes` to `dest` durably: to a synced temporary file in `tmp`
/// first, then moved into place with [`persist`]'s guarantees, so a crash
/// leaves either the old file or the whole new one.
pub(crate) async fn write(tmp: PathBuf, dest: PathBuf, bytes: Vec<u8>) -> std::io::Result<()> {
    blocking(move || {
        use std::io::Write;
        std::fs::create_dir_all(&tmp)?;
        let mut file = tempfile::NamedTempFile::new_in(&tmp)?;
        file.write_all(&bytes)?;
        file.as_file().sync_all()?;
        let dir = dest.parent().map(Path::to_path_buf).unwrap_or_default();
        std::fs::create_dir_all(&dir)?;
        file.persist(&dest).map_err(|e| e.error)?;
        sync_dir(&dir)
    })
    .await
}

/// Removes a resource's media directory with everything in it; one that
/// is not there is already removed.
pub(crate) async fn remove_dir(dir: PathBuf) -> std::io::Result<()> {
    match tokio::fs::remove_dir_all(dir).await {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Syncs a directory, so the entries just created or renamed in it last.
pub(crate) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// Runs file-system work on the blocking pool.
async fn blocking(
    work: impl FnOnce() -> std::io::Result<()> + Send + 'static,
) -> std::io::Result<()> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(std::io::Error::other)?
}
