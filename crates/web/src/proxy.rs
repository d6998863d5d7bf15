//! The client's address behind reverse proxies: taken from `X-Forwarded-For` (or `Forwarded`)
//! only when the connection comes from a configured trusted proxy, walking the chain from the
//! right past every trusted hop; otherwise the socket's peer. Rate limits key on it.
use std::net::IpAddr;

/// An address or network (`10.0.0.0/8`, `::1`, `192.168.1.10`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Net {
    addr: IpAddr,
    prefix: u8,
}

impl Net {
    pub fn parse(raw: &str) -> Option<Net> {
        let (a, p) = match raw.trim().split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().ok()?)),
            None => (raw.trim(), None),
        };
        let addr: IpAddr = a.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = p.unwrap_or(max);
        (prefix <= max).then_some(Net { addr, prefix })
    }
    pub fn contains(&self, ip: IpAddr) -> bool {
        let bits = |ip: IpAddr| -> u128 {
            match ip {
                IpAddr::V4(v) => u128::from(u32::from(v)) << 96,
                IpAddr::V6(v) => u128::from(v),
            }
        };
        let ip = match (self.addr, ip) {
            (IpAddr::V4(_), IpAddr::V6(v)) => match v.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => return false,
            },
            (IpAddr::V6(_), IpAddr::V4(_)) => return false,
            (_, ip) => ip,
        };
        let shift = if self.addr.is_ipv4() { 32 } else { 128 } - u32::from(self.prefix);
        let mask = if shift >= 128 {
            0
        } else {
            u128::MAX << (shift + if self.addr.is_ipv4() { 96 } else { 0 })
        };
        (bits(ip) & mask) == (bits(self.addr) & mask)
    }
}

/// The client's address: `peer` itself unless it is a trusted proxy, then the right-most address
/// of the forwarding chain that is not a trusted proxy.
pub fn client_ip(
    peer: IpAddr,
    trusted: &[Net],
    forwarded_for: Option<&str>,
    forwarded: Option<&str>,
) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let chain: Vec<IpAddr> = match (forwarded_for, forwarded) {
        (Some(x), _) => x.split(',').filter_map(|s| s.trim().parse().ok()).collect(),
        (None, Some(f)) => f
            .split([',', ';'])
            .filter_map(|p| {
                let (k, v) = p.trim().split_once('=')?;
                if !k.trim().eq_ignore_ascii_case("for") {
                    return None;
                }
                let v = v.trim().trim_matches('"');
                let v = v
                    .strip_prefix('[')
                    .map_or(v, |s| s.split(']').next().unwrap_or(s));
                v.parse::<IpAddr>()
                    .ok()
                    .or_else(|| v.rsplit_once(':').and_then(|(h, _)| h.parse().ok()))
            })
            .collect(),
        (None, None) => vec![],
    };
    chain
        .iter()
        .rev()
        .copied()
        .find(|ip| !is_trusted(*ip))
        .or(chain.first().copied())
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;
    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }
    #[test]
    fn only_trusted_proxies_name_the_client() {
        let trusted = vec![
            Net::parse("10.0.0.0/8").unwrap(),
            Net::parse("::1").unwrap(),
        ];
        // a direct client cannot claim another address
        assert_eq!(
            client_ip(ip("203.0.113.9"), &trusted, Some("1.2.3.4"), None),
            ip("203.0.113.9")
        );
        // behind the proxy: the right-most untrusted hop (a client's own forged entries are left of it)
        assert_eq!(
            client_ip(
                ip("10.1.2.3"),
                &trusted,
                Some("6.6.6.6, 198.51.100.7, 10.9.9.9"),
                None
            ),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_ip(
                ip("::1"),
                &trusted,
                None,
                Some("for=\"[2001:db8::5]:4711\";proto=https")
            ),
            ip("2001:db8::5")
        );
        assert_eq!(
            client_ip(ip("10.1.2.3"), &trusted, None, None),
            ip("10.1.2.3")
        );
        assert!(
            Net::parse("192.168.0.0/16")
                .unwrap()
                .contains(ip("::ffff:192.168.7.1"))
        );
        assert!(
            !Net::parse("192.168.0.0/16")
                .unwrap()
                .contains(ip("192.169.0.1"))
        );
        assert!(Net::parse("x").is_none() && Net::parse("10.0.0.0/33").is_none());
    }
}
