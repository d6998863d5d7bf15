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
    /// replies and status changes sent to letter writers, and attempts that failed
    pub writers_sent: usize,
    pub writers_failed: usize,
}

/// What this process can send with: e-mail over SMTP, SMS through the gateway (each optional).
#[derive(Default)]
pub struct Outbound {
    pub mailer: Option<Mailer>,
    pub sms: Option<crate::sms::SmsGateway>,
}

impl Outbound {
    pub fn from_settings(s: &crate::settings::Settings) -> anyhow::Result<Outbound> {
        Ok(Outbound {
            mailer: if s.smtp_url.is_empty() {
                None
            } else {
                Some(Mailer::new(&s.smtp_url, &s.mail_from)?)
            },
            sms: crate::sms::SmsGateway::new(&s.sms)?,
        })
    }
}

/// One sweep for `as_of`, then delivery of whatever mail is waiting: the notices to staff, and
/// what is sent to letter writers (e-mail with the reply letter attached, SMS).
pub async fn run_once(
    store: &Store,
    out: &Outbound,
    as_of: chrono::NaiveDate,
) -> anyhow::Result<RunReport> {
    let mut report = RunReport {
        sweep: store.sweep(as_of).await?,
        ..Default::default()
    };
    if let Some(m) = &out.mailer {
        deliver_notices(store, m, &mut report).await?;
    }
    deliver_to_writers(store, out, &mut report).await?;
    Ok(report)
}

async fn deliver_notices(store: &Store, m: &Mailer, report: &mut RunReport) -> anyhow::Result<()> {
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
    Ok(())
}

/// Sends what waits for letter writers over the channels this process has; each result is kept
/// (a failure is tried again later, then shown to the officer).
async fn deliver_to_writers(
    store: &Store,
    out: &Outbound,
    report: &mut RunReport,
) -> anyhow::Result<()> {
    let mut channels = Vec::new();
    if out.mailer.is_some() {
        channels.push("email");
    }
    if out.sms.is_some() {
        channels.push("sms");
    }
    if channels.is_empty() {
        return Ok(());
    }
    loop {
        let batch = store.claim_letter_sends(50, &channels).await?;
        if batch.is_empty() {
            break;
        }
        for s in batch {
            let result = match (s.channel.as_str(), &out.mailer, &out.sms) {
                ("email", Some(m), _) => send_reply_mail(m, &s).await,
                ("sms", _, Some(g)) => {
                    let (g, to, text) = (g.clone(), s.address.clone(), s.body.clone());
                    tokio::task::spawn_blocking(move || g.send(&to, &text))
                        .await
                        .unwrap_or_else(|e| Err(e.to_string()))
                }
                _ => continue,
            };
            match &result {
                Ok(()) => report.writers_sent += 1,
                Err(e) => {
                    tracing::warn!(send = s.id, error = %e, "not delivered to the writer");
                    report.writers_failed += 1;
                }
            }
            store.letter_send_result(s.id, result).await?;
        }
    }
    Ok(())
}

/// The e-mail to a writer: the text, and the reply letter as a PDF rendered off the workers.
async fn send_reply_mail(m: &Mailer, s: &duban_store::letters::OutSend) -> Result<(), String> {
    use lettre::message::{Attachment, MultiPart, SinglePart};
    let to = s
        .address
        .parse::<Mailbox>()
        .map_err(|e| format!("地址无效：{e}"))?;
    let builder = Message::builder()
        .from(m.from.clone())
        .to(to)
        .subject(s.subject.clone());
    let msg = match &s.document {
        Some(doc) => {
            let d = doc.clone();
            let pdf = tokio::task::spawn_blocking(move || duban_publish::official::pdf(&d))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| format!("答复文书无法生成：{e}"))?;
            let name = format!("{}.pdf", doc.title);
            builder.multipart(
                MultiPart::mixed()
                    .singlepart(SinglePart::plain(s.body.clone()))
                    .singlepart(
                        Attachment::new(name).body(
                            pdf,
                            "application/pdf"
                                .parse()
                                .map_err(|_| "content type".to_string())?,
                        ),
                    ),
            )
        }
        None => builder.header(ContentType::TEXT_PLAIN).body(s.body.clone()),
    }
    .map_err(|e| e.to_string())?;
    m.transport
        .send(msg)
        .await
        .map(|_| ())
        .map_err(|e| format!("邮件未发出：{e}"))
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
