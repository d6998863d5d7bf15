//! The scheduler: sweeps deadlines (reminders and supervision notices) and delivers their e-mail
//! over SMTP. Safe to run in several processes against one database.
use duban_store::Store;
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// `url` like `smtp://host:25` (plain, for an internal relay) — see docs/operator-guide.md.
    pub fn new(url: &str, from: &str) -> anyhow::Result<Mailer> {
        let rest = url
            .strip_prefix("smtp://")
            .ok_or_else(|| anyhow::anyhow!("smtp_url must start with smtp://"))?;
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), p.trim_end_matches('/').parse::<u16>()?),
            None => (rest.trim_end_matches('/').to_string(), 25),
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(port)
            .build();
        Ok(Mailer {
            transport,
            from: from.parse()?,
        })
    }
}

#[derive(Debug, Default)]
pub struct RunReport {
    pub sweep: duban_store::supervision::SweepReport,
    pub mailed: usize,
    pub mail_failed: usize,
}

/// One sweep for `as_of`, then delivery of whatever mail is waiting.
pub async fn run_once(
    store: &Store,
    mailer: Option<&Mailer>,
    as_of: chrono::NaiveDate,
) -> anyhow::Result<RunReport> {
    let mut report = RunReport {
        sweep: store.sweep(as_of).await?,
        ..Default::default()
    };
    let Some(m) = mailer else { return Ok(report) };
    loop {
        let batch = store.claim_mail(100).await?;
        if batch.is_empty() {
            break;
        }
        for mail in batch {
            let msg = Message::builder()
                .from(m.from.clone())
                .to(match mail.to.parse() {
                    Ok(to) => to,
                    Err(e) => {
                        tracing::warn!(notice = mail.notice_id, error = %e, "bad address");
                        report.mail_failed += 1;
                        continue;
                    }
                })
                .subject(mail.subject.clone())
                .header(ContentType::TEXT_PLAIN)
                .body(mail.body.clone())?;
            match m.transport.send(msg).await {
                Ok(_) => {
                    store.mark_sent(mail.notice_id).await?;
                    report.mailed += 1;
                }
                Err(e) => {
                    // left claimed: retried after the claim lapses
                    tracing::warn!(notice = mail.notice_id, error = %e, "mail not sent");
                    report.mail_failed += 1;
                }
            }
        }
        if report.mail_failed > 0 {
            break;
        }
    }
    Ok(report)
}
