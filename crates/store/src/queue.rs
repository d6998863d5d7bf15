//! The write queue and its group commit: ledger entries and public letters queue here and one
//! writer commits what has queued up in one transaction, then answers each caller.
use crate::{Actor, Result, Store, StoreError, Write};

impl Store {
    /// Writes the jobs in one transaction; if any of them fails, each is written alone (with its
    /// task's facts read afresh), so one job's refusal never costs another its entry.
    pub(crate) async fn write_entry_batch(&self, jobs: Vec<EntryJob>) -> Vec<Result<i64>> {
        if jobs.len() > 1 {
            let together: Result<Vec<i64>> = async {
                let mut w = self.write(&jobs[0].work.actor()).await?;
                let mut ids = Vec::with_capacity(jobs.len());
                for j in &jobs {
                    w.act_as(&j.work.actor());
                    ids.push(j.work.run(&mut w).await?);
                }
                w.commit().await?;
                Ok(ids)
            }
            .await;
            if let Ok(ids) = together {
                return ids.into_iter().map(Ok).collect();
            }
        }
        self.write_entries_alone(jobs).await
    }

    pub(crate) async fn write_entries_alone(&self, jobs: Vec<EntryJob>) -> Vec<Result<i64>> {
        let mut out = Vec::with_capacity(jobs.len());
        for j in jobs {
            let r = async {
                let mut w = self.write(&j.work.actor()).await?;
                let id = j.work.run(&mut w).await?;
                w.commit().await?;
                Ok(id)
            }
            .await;
            out.push(r);
        }
        out
    }
}

/// A write waiting for the batch writer: a ledger entry or a letter from the public.
pub(crate) struct EntryJob {
    work: Work,
    reply: Option<tokio::sync::oneshot::Sender<Result<i64>>>,
}

/// A write the queue runs: within a batch's transaction with others, or alone when the batch
/// failed (the job then reads its facts afresh in its own transaction). Each feature defines its
/// jobs; the queue knows none of them.
pub(crate) trait Job: Send + Sync {
    /// Whose write it is (the audit's actor).
    fn actor(&self) -> Actor;
    fn run<'a>(
        &'a self,
        w: &'a mut Write,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<i64>> + Send + 'a>>;
}

pub(crate) type Work = Box<dyn Job>;

impl Store {
    /// Queues a write for the batch writer and waits until its transaction is committed.
    pub(crate) async fn queue_write(&self, work: Work) -> Result<i64> {
        let Some(queue) = &self.entries else {
            return self
                .write_entries_alone(vec![EntryJob { work, reply: None }])
                .await
                .pop()
                .unwrap_or(Err(StoreError::NotFound));
        };
        let (reply, answer) = tokio::sync::oneshot::channel();
        queue
            .send(EntryJob {
                work,
                reply: Some(reply),
            })
            .await
            .map_err(|_| StoreError::Invalid("写入队列已关闭".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Invalid("写入队列已关闭".into()))?
    }
}

/// The batch writer: takes what has queued up (at most 64 entries) and writes it in one
/// transaction, then answers each caller. Ends when the store is dropped.
pub(crate) async fn write_entries(store: Store, mut queue: tokio::sync::mpsc::Receiver<EntryJob>) {
    let store = Store {
        entries: None,
        ..store
    };
    while let Some(first) = queue.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < 64 {
            match queue.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let replies: Vec<_> = jobs.iter_mut().map(|j| j.reply.take()).collect();
        for (reply, result) in replies.into_iter().zip(store.write_entry_batch(jobs).await) {
            if let Some(r) = reply {
                let _ = r.send(result);
            }
        }
    }
}
