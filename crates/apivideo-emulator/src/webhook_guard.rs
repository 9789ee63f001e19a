//! Which hosts webhooks may be delivered to, so that a project cannot make
//! the emulator POST into the network it runs in.
//!
//! - Always refused: link-local addresses (`169.254.0.0/16`, `fe80::/10`),
//!   which hold the cloud metadata services (`169.254.169.254`,
//!   `fd00:ec2::254`, `100.100.100.200`, refused by name too), and the
//!   addresses no receiver listens on (unspecified, broadcast, multicast,
//!   documentation ranges).
//! - Loopback (`127.0.0.0/8`, `::1`, `localhost`): allowed by default,
//!   since tests run their receivers there; `Config::webhook_targets`
//!   turns it off.
//! - Private ranges (`10/8`, `172.16/12`, `192.168/16`, `100.64/10`,
//!   `fc00::/7`): refused unless `--webhook-allow-private`.
//!
//! A URL is checked when it is registered (an IP literal or a known name)
//! and again at each delivery: names are resolved by [`GuardedResolver`],
//! which drops every refused address, so a name that resolves to a refused
//! address later is not reached either. Redirects are not followed, and
//! proxies from the environment are not used.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// Which kinds of hosts webhooks may be delivered to, beyond public ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookTargets {
    /// Loopback addresses and `localhost`. On by default.
    pub allow_loopback: bool,
    /// Private ranges (`10/8`, `172.16/12`, `192.168/16`, `100.64/10`,
    /// `fc00::/7`). Off by default.
    pub allow_private: bool,
}

impl Default for WebhookTargets {
    fn default() -> Self {
        Self {
            allow_loopback: true,
            allow_private: false,
        }
    }
}

/// What an address is, as far as webhook delivery cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Public,
    Loopback,
    Private,
    /// Link-local, metadata, and addresses nothing listens on.
    Forbidden,
}

/// Hosts of cloud metadata services, refused by name.
const METADATA_NAMES: [&str; 3] = ["metadata.google.internal", "metadata", "instance-data"];

/// Why a target is refused, as the problem document says it.
pub(crate) const REFUSED: &str = "This URL's host is a link-local, metadata or private address, where the emulator does not deliver webhooks.";
/// Why a loopback target is refused when loopback is off.
pub(crate) const REFUSED_LOOPBACK: &str =
    "This URL's host is a loopback address, where this emulator does not deliver webhooks.";

impl WebhookTargets {
    /// Whether an address may be delivered to.
    pub(crate) fn allows(self, ip: IpAddr) -> bool {
        match classify(ip) {
            Class::Public => true,
            Class::Loopback => self.allow_loopback,
            Class::Private => self.allow_private,
            Class::Forbidden => false,
        }
    }

    /// Checks the host of an http(s) URL that is an IP literal or a name
    /// known to be loopback or metadata; other names are checked when they
    /// are resolved. `Err` gives the reason.
    pub(crate) fn check_url(self, url: &reqwest::Url) -> Result<(), &'static str> {
        let Some(host) = url.host_str() else {
            return Err(REFUSED);
        };
        let literal = host.trim_start_matches('[').trim_end_matches(']');
        let ip = match literal.parse::<IpAddr>() {
            Ok(ip) => ip,
            Err(_) => {
                let name = host.trim_end_matches('.').to_ascii_lowercase();
                if METADATA_NAMES.contains(&name.as_str()) {
                    return Err(REFUSED);
                }
                if name == "localhost" || name.ends_with(".localhost") {
                    IpAddr::V4(Ipv4Addr::LOCALHOST)
                } else {
                    return Ok(());
                }
            }
        };
        if self.allows(ip) {
            Ok(())
        } else if classify(ip) == Class::Loopback {
            Err(REFUSED_LOOPBACK)
        } else {
            Err(REFUSED)
        }
    }
}

fn classify(ip: IpAddr) -> Class {
    match ip {
        IpAddr::V4(ip) => classify_v4(ip),
        IpAddr::V6(ip) => match ip.to_ipv4_mapped() {
            Some(v4) => classify_v4(v4),
            None => classify_v6(ip),
        },
    }
}

fn classify_v4(ip: Ipv4Addr) -> Class {
    let [a, b, c, d] = ip.octets();
    if ip.is_loopback() {
        Class::Loopback
    } else if ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || a >= 240
        // Alibaba Cloud's metadata service.
        || [a, b, c, d] == [100, 100, 100, 200]
    {
        Class::Forbidden
    } else if ip.is_private() || (a == 100 && (64..128).contains(&b)) {
        Class::Private
    } else {
        Class::Public
    }
}

fn classify_v6(ip: Ipv6Addr) -> Class {
    let first = ip.segments()[0];
    if ip.is_loopback() {
        Class::Loopback
    } else if ip.is_unspecified()
        || ip.is_multicast()
        // fe80::/10, link-local.
        || first & 0xffc0 == 0xfe80
        // AWS's metadata service over IPv6.
        || ip == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)
        // 2001:db8::/32, documentation.
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)
    {
        Class::Forbidden
    } else if first & 0xfe00 == 0xfc00 {
        // fc00::/7, unique local.
        Class::Private
    } else {
        Class::Public
    }
}

/// Resolves webhook hosts with the system resolver, keeping only the
/// addresses [`WebhookTargets`] allows; a name left with none fails.
#[derive(Debug)]
pub(crate) struct GuardedResolver(pub(crate) WebhookTargets);

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let targets = self.0;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let allowed: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|addr| targets.allows(addr.ip()))
                .collect();
            if allowed.is_empty() {
                return Err(
                    "the webhook's host resolves to no address it may be delivered to".into(),
                );
            }
            let addrs: reqwest::dns::Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

/// The client webhooks are delivered with: no redirects, no proxies, and
/// names resolved through [`GuardedResolver`]. Panics, as
/// `reqwest::Client::new` does, only if the TLS backend cannot start.
pub(crate) fn client(targets: WebhookTargets) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .dns_resolver(Arc::new(GuardedResolver(targets)))
        .build()
        .unwrap_or_else(|e| panic!("the webhook client cannot start its TLS backend: {e}"))
}

#[cfg(test)]
mod tests {
    use reqwest::dns::Resolve as _;

    use super::*;

    fn check(targets: WebhookTargets, url: &str) -> Result<(), &'static str> {
        targets.check_url(&reqwest::Url::parse(url).unwrap())
    }

    #[test]
    fn link_local_and_metadata_are_always_refused() {
        let open = WebhookTargets {
            allow_loopback: true,
            allow_private: true,
        };
        for url in [
            "http://169.254.169.254/latest/meta-data",
            "http://169.254.0.1/",
            "http://[fe80::1]/",
            "http://[fd00:ec2::254]/",
            "http://100.100.100.200/",
            "http://[::ffff:169.254.169.254]/",
            "http://metadata.google.internal/computeMetadata/v1/",
            "http://METADATA.google.internal./",
            "http://0.0.0.0/",
            "http://[::]/",
            "http://255.255.255.255/",
            "http://224.0.0.1/",
        ] {
            assert_eq!(check(open, url), Err(REFUSED), "{url}");
        }
    }

    #[test]
    fn private_ranges_need_the_flag() {
        let default = WebhookTargets::default();
        let private = WebhookTargets {
            allow_private: true,
            ..default
        };
        for url in [
            "http://10.0.0.1/",
            "http://172.16.5.4/",
            "http://172.31.255.255/",
            "http://192.168.1.1/",
            "http://100.64.0.1/",
            "http://[fd12:3456::1]/",
            "http://[::ffff:10.1.2.3]/",
        ] {
            assert_eq!(check(default, url), Err(REFUSED), "{url}");
            assert_eq!(check(private, url), Ok(()), "{url}");
        }
    }

    #[test]
    fn loopback_is_allowed_by_default_and_public_hosts_always() {
        let default = WebhookTargets::default();
        let closed = WebhookTargets {
            allow_loopback: false,
            allow_private: false,
        };
        for url in [
            "http://127.0.0.1:9/hook",
            "http://127.8.9.10/",
            "http://[::1]:80/",
            "http://localhost:1234/",
            "http://api.localhost/",
        ] {
            assert_eq!(check(default, url), Ok(()), "{url}");
            assert_eq!(check(closed, url), Err(REFUSED_LOOPBACK), "{url}");
        }
        for url in [
            "https://example.com/hook",
            "http://93.184.216.34/",
            "http://172.32.0.1/",
            "http://[2606:4700::1111]/",
        ] {
            assert_eq!(check(closed, url), Ok(()), "{url}");
        }
    }

    #[tokio::test]
    async fn the_resolver_drops_refused_addresses() {
        let closed = GuardedResolver(WebhookTargets {
            allow_loopback: false,
            allow_private: false,
        });
        let refused = closed.resolve("localhost".parse().unwrap()).await;
        assert!(refused.is_err());
        let open = GuardedResolver(WebhookTargets::default());
        let addrs: Vec<SocketAddr> = open
            .resolve("localhost".parse().unwrap())
            .await
            .expect("localhost resolves")
            .collect();
        assert!(!addrs.is_empty());
        assert!(addrs.iter().all(|a| a.ip().is_loopback()), "{addrs:?}");
    }
}
