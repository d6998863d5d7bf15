//! Uploaded tables are parsed off the async workers: at most two at a time on the blocking pool,
//! so that one large or hostile file never stalls other users' requests (the readers themselves
//! refuse what exceeds [`duban_publish::sheet::Limits`]).
use duban_publish::sheet::SheetError;
use std::sync::LazyLock;
use tokio::sync::Semaphore;

/// Concurrent parses: each may hold a workbook's cells in memory.
const PARSES: usize = 2;
static GATE: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(PARSES));

/// Reads an uploaded CSV or XLSX file into rows, on the blocking pool, one of [`PARSES`] at a
/// time; the bytes move into the parse.
pub async fn parse_table(name: String, bytes: Vec<u8>) -> Result<Vec<Vec<String>>, SheetError> {
    let _permit = GATE
        .acquire()
        .await
        .map_err(|_| SheetError::TooLarge("服务器正在关闭".into()))?;
    tokio::task::spawn_blocking(move || duban_publish::sheet::read_table(&name, &bytes))
        .await
        .map_err(|_| SheetError::Xlsx("文件解析中断".into()))?
}
