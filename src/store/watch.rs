//! "Has anything been committed since?", answered in a few microseconds.
//!
//! SQLite's `PRAGMA data_version` changes whenever another connection commits to the
//! database file: a connection of this process or of another one sharing the file
//! (the `hearth` CLI, a second bot process), because in WAL mode every commit
//! rewrites the header of the shared WAL index, and that header is what the pragma
//! compares. Commits made on the connection reading the pragma do not count, so it is
//! read on a connection of its own that never writes (`query_only`).
//!
//! Going through sqlx, one read costs a round trip to its worker thread (about
//! 100 µs); this connection is a plain synchronous one (rusqlite, on the same SQLite
//! library sqlx links), so a read is a lock, one statement step and a reset.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

/// A point in the database's history. Two equal stamps read from the same store mean
/// nothing was committed in between, by any connection or process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeStamp(i64);

/// The watching connection.
#[derive(Debug)]
pub(super) struct ChangeWatch {
    /// `None` once the store is closed.
    conn: Mutex<Option<Connection>>,
}

impl ChangeWatch {
    /// Opens a connection to the database at `path` that refuses to write.
    pub(super) fn open(path: &Path) -> rusqlite::Result<ChangeWatch> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.pragma_update(None, "query_only", true)?;
        // A WAL read waits only while a crashed writer's WAL is being recovered.
        conn.busy_timeout(Duration::from_millis(20))?;
        let watch = ChangeWatch {
            conn: Mutex::new(Some(conn)),
        };
        // The first read prepares the statement and checks the file is a database.
        watch.read()?;
        Ok(watch)
    }

    /// The current stamp; `None` if it could not be read (then nothing can be known
    /// to be unchanged).
    pub(super) fn stamp(&self) -> Option<ChangeStamp> {
        match self.read() {
            Ok(v) => v.map(ChangeStamp),
            Err(e) => {
                tracing::debug!(error = %e, "could not read the database's data version");
                None
            }
        }
    }

    /// Closes the connection; later stamps are `None`.
    pub(super) fn close(&self) {
        drop(self.lock().take());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Connection>> {
        self.conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The data version; `None` once closed.
    fn read(&self) -> rusqlite::Result<Option<i64>> {
        let conn = self.lock();
        let Some(conn) = conn.as_ref() else {
            return Ok(None);
        };
        // The statement is reset when the row is read, which ends the read
        // transaction: this connection never holds a snapshot between calls.
        conn.prepare_cached("PRAGMA data_version")?
            .query_row([], |r| r.get(0))
            .map(Some)
    }
}
