//! What a `User-Agent` header tells of a viewer's browser, operating
//! system and device, as the player collector records it: the most
//! common tokens only, read from at most [`MAX_USER_AGENT`] characters.

/// The longest `User-Agent` read.
pub(crate) const MAX_USER_AGENT: usize = 1_024;

/// What a `User-Agent` tells of the viewer's browser, system and device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UserAgent {
    pub(crate) browser: Option<Browser>,
    pub(crate) os: Option<Os>,
    /// `computer`, `phone` or `tablet`.
    pub(crate) device: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Browser {
    /// As the `/data` metrics name it: `chrome`, `firefox`...
    pub(crate) name: &'static str,
    /// As the legacy session's `client.name`: `Chrome`, `Firefox`...
    pub(crate) display: &'static str,
    pub(crate) version: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Os {
    /// As the `/data` metrics name it: `windows`, `macos`...
    pub(crate) name: &'static str,
    /// As the legacy session's `os.name`.
    pub(crate) display: &'static str,
}

impl UserAgent {
    pub(crate) fn parse(ua: &str) -> Self {
        let ua = match ua.char_indices().nth(MAX_USER_AGENT) {
            Some((cut, _)) => &ua[..cut],
            None => ua,
        };
        // The most specific token first: Edge and Opera also say Chrome,
        // Chrome also says Safari.
        const BROWSERS: [(&str, &str, &str); 9] = [
            ("Edg/", "edge", "Edge"),
            ("EdgA/", "edge", "Edge"),
            ("OPR/", "opera", "Opera"),
            ("Firefox/", "firefox", "Firefox"),
            ("FxiOS/", "firefox", "Firefox"),
            ("CriOS/", "chrome", "Chrome"),
            ("HeadlessChrome/", "chrome", "Chrome"),
            ("Chrome/", "chrome", "Chrome"),
            ("Safari/", "safari", "Safari"),
        ];
        let browser = BROWSERS
            .iter()
            .find_map(|(token, name, display)| {
                let start = ua.find(token)? + token.len();
                let version: String = ua[start..]
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || *c == '.')
                    .take(32)
                    .collect();
                Some(Browser {
                    name,
                    display,
                    version: (!version.is_empty()).then_some(version),
                })
            })
            .map(|mut b| {
                // Safari's own version is in `Version/`.
                if b.name == "safari" {
                    b.version = ua.find("Version/").map(|i| {
                        ua[i + 8..]
                            .chars()
                            .take_while(|c| c.is_ascii_digit() || *c == '.')
                            .take(32)
                            .collect()
                    });
                }
                b
            });
        const SYSTEMS: [(&str, &str, &str); 8] = [
            ("Windows", "windows", "Microsoft Windows"),
            ("Android", "android", "Android"),
            ("iPhone", "ios", "iOS"),
            ("iPad", "ios", "iOS"),
            ("iPod", "ios", "iOS"),
            ("CrOS", "chromeos", "Chrome OS"),
            ("Mac OS X", "macos", "macOS"),
            ("Linux", "linux", "GNU/Linux"),
        ];
        let os = SYSTEMS
            .iter()
            .find(|(token, _, _)| ua.contains(token))
            .map(|(_, name, display)| Os { name, display });
        let device = if ua.contains("iPad") || ua.contains("Tablet") {
            "tablet"
        } else if ua.contains("Android") {
            if ua.contains("Mobile") {
                "phone"
            } else {
                "tablet"
            }
        } else if ua.contains("iPhone") || ua.contains("iPod") || ua.contains("Mobile") {
            "phone"
        } else {
            "computer"
        };
        Self {
            browser,
            os,
            device,
        }
    }

    /// The legacy session's `device.type`.
    pub(crate) fn legacy_device(&self) -> &'static str {
        match self.device {
            "computer" => "desktop",
            "phone" => "mobile",
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agents() {
        let headless = UserAgent::parse(
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/148.0.0.0 Safari/537.36",
        );
        assert_eq!(
            headless.browser,
            Some(Browser {
                name: "chrome",
                display: "Chrome",
                version: Some("148.0.0.0".into())
            })
        );
        assert_eq!(headless.os.map(|o| o.name), Some("linux"));
        assert_eq!(headless.device, "computer");

        let firefox = UserAgent::parse(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
        );
        assert_eq!(firefox.browser.as_ref().map(|b| b.name), Some("firefox"));
        assert_eq!(firefox.os.map(|o| o.name), Some("windows"));

        let iphone = UserAgent::parse(
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
        );
        let safari = iphone.browser.clone().unwrap();
        assert_eq!(
            (safari.name, safari.version.as_deref()),
            ("safari", Some("17.4"))
        );
        assert_eq!(iphone.os.map(|o| o.name), Some("ios"));
        assert_eq!((iphone.device, iphone.legacy_device()), ("phone", "mobile"));

        let edge = UserAgent::parse(
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0",
        );
        assert_eq!(edge.browser.map(|b| b.name), Some("edge"));
        assert_eq!(edge.os.map(|o| o.name), Some("macos"));

        let tablet = UserAgent::parse("Mozilla/5.0 (Linux; Android 14; SM-X710) Chrome/124.0");
        assert_eq!(
            (tablet.device, tablet.os.map(|o| o.name)),
            ("tablet", Some("android"))
        );

        let nothing = UserAgent::parse("");
        assert_eq!(
            (nothing.browser, nothing.os, nothing.device),
            (None, None, "computer")
        );
        // A huge header is read up to the limit only.
        let long = format!("{}Firefox/1", "x".repeat(MAX_USER_AGENT));
        assert_eq!(UserAgent::parse(&long).browser, None);
    }
}
