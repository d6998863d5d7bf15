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
    /// `url`: `smtp://host:25` (plain, for a relay on the same host or network),
    /// `smtp://host:587?tls=required` (STARTTLS, refused without it), or `smtps://host:465` (TLS
    /// from the first byte); credentials as `smtp://user:password@host`. Certificates are checked
    /// against the public roots (webpki) — see docs/operator-guide.md.
    pub fn new(url: &str, from: &str) -> anyhow::Result<Mailer> {
        if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
            anyhow::bail!(crate::cli::console::t!(
                "smtp_url 须以 smtp:// 或 smtps:// 开头",
                "smtp_url must start with smtp:// or smtps://"
            ));
        }
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?.build();
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

#[cfg(test)]
mod tests {
    use super::Mailer;
    #[test]
    fn smtp_urls_plain_starttls_and_tls() {
        let from = "督办 <duban@example.org>";
        assert!(Mailer::new("smtp://127.0.0.1:2525", from).is_ok());
        assert!(Mailer::new("smtp://relay.example.org:587?tls=required", from).is_ok());
        assert!(Mailer::new("smtps://user:secret@relay.example.org:465", from).is_ok());
        assert!(Mailer::new("http://relay.example.org", from).is_err());
    }
}
