//! A fixed-window rate limiter per key (client address), for public and login endpoints. With
//! PostgreSQL, where several servers may share the database, the window is counted there
//! (`Store::rate_hit`), so a visitor has one allowance whichever server answers.
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateLimiter {
    limit: u32,
    window: Duration,
    hits: Mutex<HashMap<String, (Instant, u32)>>,
    /// the bucket and the store every server counts in, when shared
    shared: Option<(&'static str, duban_store::Store)>,
}

impl RateLimiter {
    /// A limiter counting in this process.
    pub fn new(limit: u32, window: Duration) -> Self {
        RateLimiter {
            limit,
            window,
            hits: Mutex::new(HashMap::new()),
            shared: None,
        }
    }
    /// A limiter counting in the database's `bucket`.
    pub fn shared(
        bucket: &'static str,
        limit: u32,
        window: Duration,
        store: duban_store::Store,
    ) -> Self {
        RateLimiter {
            shared: Some((bucket, store)),
            ..Self::new(limit, window)
        }
    }
    /// Counts a hit; false when the key is over its limit in the current window. When the
    /// shared count cannot be read, this server's own count decides.
    pub async fn allow(&self, key: &str) -> bool {
        if let Some((bucket, store)) = &self.shared {
            match store
                .rate_hit(bucket, key, self.window.as_secs() as i64)
                .await
            {
                Ok(n) => return n <= i64::from(self.limit),
                Err(e) => tracing::warn!(bucket, error = %e, "shared rate limit unavailable"),
            }
        }
        self.allow_here(key)
    }
    fn allow_here(&self, key: &str) -> bool {
        let now = Instant::now();
        let mut m = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        if m.len() > 100_000 {
            m.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let e = m.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(e.0) >= self.window {
            *e = (now, 0);
        }
        e.1 += 1;
        e.1 <= self.limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn limits_per_key() {
        let l = RateLimiter::new(2, Duration::from_secs(60));
        assert!(l.allow_here("a") && l.allow_here("a"));
        assert!(!l.allow_here("a"));
        assert!(l.allow_here("b"));
    }
}

/// Per-login progressive delay ([`duban_domain::auth::login_delay`]): attempts on one login are
/// queued one after another, each waiting the delay its failures call for, whether or not the
/// login exists. A queue longer than [`LoginThrottle::MAX_WAIT`] is refused at once.
#[derive(Default)]
pub struct LoginThrottle {
    map: std::sync::Mutex<std::collections::HashMap<String, (u32, std::time::Instant)>>,
}

impl LoginThrottle {
    pub const MAX_WAIT: std::time::Duration = std::time::Duration::from_secs(60);
    const MAX_LOGINS: usize = 100_000;

    /// When this attempt may be checked, or `None` when the queue is too long.
    pub fn slot(&self, login: &str) -> Option<std::time::Instant> {
        let now = std::time::Instant::now();
        let mut m = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if m.len() >= Self::MAX_LOGINS {
            m.retain(|_, (_, next)| *next + std::time::Duration::from_secs(3600) > now);
        }
        // (failures, when the previous attempt was let through)
        let e = m.entry(login.to_lowercase()).or_insert((0, now));
        let at = (e.1 + duban_domain::auth::login_delay(e.0)).max(now);
        if at - now > Self::MAX_WAIT {
            return None;
        }
        e.1 = at;
        Some(at)
    }
    pub fn failed(&self, login: &str) {
        let mut m = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let now = std::time::Instant::now();
        let e = m.entry(login.to_lowercase()).or_insert((0, now));
        e.0 = e.0.saturating_add(1);
    }
    pub fn succeeded(&self, login: &str) {
        let mut m = self.map.lock().unwrap_or_else(|p| p.into_inner());
        m.remove(&login.to_lowercase());
    }
    /// Logins being delayed now, with their failures (for administrators).
    pub fn delayed(&self) -> Vec<(String, u32)> {
        let m = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let mut v: Vec<(String, u32)> = m
            .iter()
            .filter(|(_, (n, _))| *n >= duban_domain::auth::FREE_FAILURES)
            .map(|(k, (n, _))| (k.clone(), *n))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v.truncate(200);
        v
    }
}
