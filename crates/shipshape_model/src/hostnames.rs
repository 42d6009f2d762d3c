//! Hostnames in environment values: where one container says how it reaches another.
//!
//! Three shapes are read (ISSUE 3, item 3): URLs (`scheme://user:pass@host:port/path`,
//! several hosts separated by commas as in `mongodb://a:1,b:2/db`), `host:port` values
//! (and comma-separated lists of them), and bare host values of keys whose name says so
//! (`*_HOST`, `*_HOSTNAME`, `*_SERVER`, `*_ADDR`). Ranges are byte offsets in the value.
//!
//! What is not a name to check is marked, not dropped, so rules can decide: loopback
//! (`localhost`, `127.0.0.1`, `::1`, `0.0.0.0`) is `localhost-reference`'s business; IP
//! addresses, dotted names (FQDNs such as `db.example.com` or `host.docker.internal`) and
//! hosts built from `$VARIABLES` are not checked against service names.

use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostShape {
    /// Inside a URL.
    Url,
    /// `host:port`.
    HostPort,
    /// The whole value of a host-named key.
    Bare,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostClass {
    /// One DNS label (`db`, `banter-bus-database`): a Compose service, alias or container
    /// name can answer to it.
    Name,
    /// `localhost` and loopback addresses.
    Loopback,
    /// An IPv4 or IPv6 address (not loopback).
    Ip,
    /// A name with dots.
    Dotted,
    /// Contains `$`: only known once interpolated.
    Variable,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostRef {
    pub host: String,
    pub range: Range<usize>,
    pub shape: HostShape,
    pub class: HostClass,
    /// The port written after the host, if any.
    pub port: Option<u16>,
}

/// Whole key names, or key parts (split on `_`), that mean "this container" or "the
/// outside world": their hosts are not peers to connect to.
const SELF_KEYS: &[&str] = &[
    // URLs the application hands to browsers and external clients (links in pages and
    // mails), not peers it connects to.
    "APP_URL",
    "BASE_URL",
    "SITE_URL",
    "ROOT_URL",
    "WEB_URL",
    "HOSTNAME",
    "VIRTUAL_HOST",
    "SERVER_NAME",
    "ALLOWED_HOSTS",
    "LETSENCRYPT_HOST",
    "TRUSTED_HOSTS",
];
const SELF_PARTS: &[&str] = &[
    "BIND",
    "LISTEN",
    "LISTENERS",
    "PUBLIC",
    "EXTERNAL",
    "DOMAIN",
    "DOMAINS",
    "ADVERTISED",
    "ORIGIN",
    "ORIGINS",
    "CORS",
    "CALLBACK",
    "REDIRECT",
    "WEBHOOK",
    "FRONTEND",
];

/// Key endings of URLs meant for a browser: `BASEROW_PUBLIC_URL`, `KEYCLOAK_HOSTNAME_URL`.
const SELF_SUFFIXES: &[&str] = &["_HOSTNAME_URL", "_BASE_URL", "_SITE_URL", "_APP_URL"];

/// Key names whose value is an identifier written as a URL, never connected to: an OAuth
/// or OIDC audience, an XML or JSON namespace, a schema URI.
const IDENTIFIER_KEYS: &[&str] = &["AUDIENCE", "NAMESPACE", "SCHEMA", "XMLNS"];

/// Whether a variable names a peer to connect to (not the container's own or public
/// address, nor an identifier in URL form).
pub fn is_peer_key(key: &str) -> bool {
    let upper = key.to_ascii_uppercase();
    let last = upper.rsplit('_').next().unwrap_or("");
    !SELF_KEYS.contains(&upper.as_str())
        && !SELF_SUFFIXES.iter().any(|s| upper.ends_with(s))
        && !upper.split('_').any(|part| SELF_PARTS.contains(&part))
        && !IDENTIFIER_KEYS.contains(&last)
}

/// Whether a variable holds a token issuer (`OIDC_ISSUER`, `JWT_ISSUER_URL`): an
/// identifier the tokens carry, which is a reachable host only when a service answers to
/// it; `unknown-host` does not report one that none does.
pub fn is_issuer_key(key: &str) -> bool {
    let upper = key.to_ascii_uppercase();
    let parts: Vec<&str> = upper.split('_').collect();
    matches!(
        parts.as_slice(),
        [.., "ISSUER"] | [.., "ISSUER", "URL" | "URI"]
    )
}

/// Hosts of namespace and schema URIs (`http://www.w3.org/2001/XMLSchema`): names, not
/// places to connect to.
const NAMESPACE_HOSTS: &[&str] = &[
    "www.w3.org",
    "w3.org",
    "json-schema.org",
    "schemas.xmlsoap.org",
    "schemas.microsoft.com",
    "purl.org",
    "xmlns.com",
    "ns.adobe.com",
];

/// Key suffixes whose whole value is a host.
const HOST_KEY_SUFFIXES: &[&str] = &["_HOST", "_HOSTNAME", "_SERVER", "_ADDR"];

/// Values of host-named keys that are settings, not hosts.
const NOT_HOSTS: &[&str] = &[
    "none", "null", "true", "false", "yes", "no", "on", "off", "auto", "default", "disabled",
    "enabled", "any", "all",
];

/// The host references in one environment variable.
pub fn extract(key: &str, value: &str) -> Vec<HostRef> {
    let mut out = Vec::new();
    if value.contains("://") {
        urls(value, &mut out);
        return out;
    }
    if host_port_list(value, &mut out) {
        return out;
    }
    let upper = key.to_ascii_uppercase();
    let host_key = upper == "HOST"
        || upper == "HOSTNAME"
        || HOST_KEY_SUFFIXES.iter().any(|s| upper.ends_with(s));
    let v = value.trim();
    if host_key
        && !v.is_empty()
        && !v.contains(char::is_whitespace)
        && (!v.contains(['{', '}']) || v.contains('$'))
        && !NOT_HOSTS.contains(&v.to_ascii_lowercase().as_str())
        && (looks_like_host(v) || is_ipv4(v) || v == "::1")
    {
        let start = value.find(v).unwrap_or(0);
        out.push(HostRef {
            host: v.to_string(),
            range: start..start + v.len(),
            shape: HostShape::Bare,
            class: classify(v),
            port: None,
        });
    }
    out
}

/// Every `scheme://` authority in the value.
fn urls(value: &str, out: &mut Vec<HostRef>) {
    let mut search = 0;
    while let Some(at) = value[search..].find("://") {
        let scheme_end = search + at;
        let scheme_start = value[..scheme_end]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-')))
            .map_or(0, |i| i + 1);
        let authority_start = scheme_end + 3;
        let mut authority_end = value[authority_start..]
            .find(['/', '?', '#', ' ', '"', '\''])
            .map_or(value.len(), |i| authority_start + i);
        // A list of URLs (`PLAINTEXT://a:9092,CONTROLLER://b:9093`): this authority ends
        // where the next URL's scheme begins.
        if let Some(next) = value[authority_start..].find("://") {
            let next = authority_start + next;
            let next_scheme = value[..next]
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-')))
                .map_or(0, |i| i + 1);
            authority_end = authority_end.min(next_scheme.max(authority_start));
        }
        search = authority_end.max(authority_start);
        if scheme_start == scheme_end {
            continue;
        }
        let authority = &value[authority_start..authority_end];
        let hosts_start = authority.rfind('@').map_or(0, |i| i + 1);
        let mut offset = authority_start + hosts_start;
        for part in authority[hosts_start..]
            .split(',')
            .filter(|p| !p.is_empty())
        {
            if let Some(r) = host_and_port(part, offset, HostShape::Url)
                && !NAMESPACE_HOSTS.contains(&r.host.to_ascii_lowercase().as_str())
            {
                out.push(r);
            }
            offset += part.len() + 1;
        }
    }
}

/// `host:port` or `host1:port,host2:port` as the whole value.
fn host_port_list(value: &str, out: &mut Vec<HostRef>) -> bool {
    let v = value.trim();
    if v.is_empty() || v.contains(char::is_whitespace) {
        return false;
    }
    let base = value.find(v).unwrap_or(0);
    let mut found = Vec::new();
    let mut offset = base;
    for part in v.split(',') {
        let Some((host, port)) = part.rsplit_once(':') else {
            return false;
        };
        let port_ok = (2..=5).contains(&port.len())
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u32>().is_ok_and(|p| p <= 65535);
        if !port_ok || !(looks_like_host(host) || is_ipv4(host)) {
            return false;
        }
        match host_and_port(part, offset, HostShape::HostPort) {
            Some(r) => found.push(r),
            None => return false,
        }
        offset += part.len() + 1;
    }
    out.extend(found);
    true
}

fn host_and_port(part: &str, offset: usize, shape: HostShape) -> Option<HostRef> {
    if part.is_empty() {
        return None;
    }
    let (host, port) = if let Some(rest) = part.strip_prefix('[') {
        // [IPv6]:port
        let close = rest.find(']')?;
        (&part[..close + 2], rest[close + 1..].strip_prefix(':'))
    } else {
        match part.rsplit_once(':') {
            Some((h, p)) if !h.contains(':') => (h, Some(p)),
            Some(_) => (part, None), // a bare IPv6 address
            None => (part, None),
        }
    };
    let name_chars = host.bytes().all(|b| {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'_' | b'.' | b'$' | b'{' | b'}' | b':' | b'[' | b']'
            )
    });
    // Braces only as part of `${...}`: `{HOST}` is a template of some other tool.
    let stray_braces = host.contains(['{', '}']) && !host.contains('$');
    if host.is_empty() || !name_chars || stray_braces {
        // `http://*:80`, `http://+:80`: a wildcard bind address, not a host.
        return None;
    }
    Some(HostRef {
        host: host.to_string(),
        range: offset..offset + host.len(),
        shape,
        class: classify(host),
        port: port.and_then(|p| p.parse().ok()),
    })
}

fn looks_like_host(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().any(|b| b.is_ascii_alphabetic() || b == b'$')
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'-' | b'_' | b'.' | b'$' | b'{' | b'}' | b':' | b'?' | b'+'
                )
        })
}

pub fn classify(host: &str) -> HostClass {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    if crate::interpolation::is_dynamic(h) {
        return HostClass::Variable;
    }
    if h.eq_ignore_ascii_case("localhost")
        || h == "::1"
        || h == "0.0.0.0"
        || h.starts_with("127.") && is_ipv4(h)
    {
        return HostClass::Loopback;
    }
    if is_ipv4(h) || h.contains(':') {
        return HostClass::Ip;
    }
    if h.contains('.') {
        return HostClass::Dotted;
    }
    HostClass::Name
}

fn is_ipv4(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(key: &str, value: &str) -> Vec<(String, HostClass, Option<u16>)> {
        extract(key, value)
            .into_iter()
            .map(|r| (r.host, r.class, r.port))
            .collect()
    }

    #[test]
    fn urls_with_credentials_and_several_hosts() {
        let v = "mongodb://banterbus:banterbus@banter-bus-database:27017";
        let refs = extract("URL", v);
        assert_eq!(refs.len(), 1);
        assert_eq!(&v[refs[0].range.clone()], "banter-bus-database");
        assert_eq!(refs[0].port, Some(27017));
        assert_eq!(
            hosts("X", "mongodb://a:1,b:2/db?replicaSet=rs"),
            [
                ("a".into(), HostClass::Name, Some(1)),
                ("b".into(), HostClass::Name, Some(2))
            ]
        );
        assert_eq!(
            hosts("X", "http://banter-bus-management-api"),
            [("banter-bus-management-api".into(), HostClass::Name, None)]
        );
        assert_eq!(
            hosts("X", "postgres://db.example.com/x")[0].1,
            HostClass::Dotted
        );
        assert_eq!(
            hosts("X", "http://${API_HOST}:8080")[0].1,
            HostClass::Variable
        );
        assert_eq!(
            hosts("X", "http://localhost:8080")[0].1,
            HostClass::Loopback
        );
        assert_eq!(hosts("X", "http://[::1]:80")[0].1, HostClass::Loopback);
        assert!(hosts("ASPNETCORE_URLS", "http://*:8080").is_empty());
        assert!(hosts("URLS", "http://+:80").is_empty());
        assert_eq!(
            hosts("L", "PLAINTEXT://kafka:9092,CONTROLLER://ctl:9093"),
            [
                ("kafka".into(), HostClass::Name, Some(9092)),
                ("ctl".into(), HostClass::Name, Some(9093))
            ]
        );
        let origins = hosts(
            "O",
            "https://app.${DOMAIN},https://${APP_DOMAIN},http://${IP}:${PORT}",
        );
        assert!(origins.iter().all(|(h, _, _)| h != "https"), "{origins:?}");
    }

    #[test]
    fn host_port_values() {
        assert_eq!(
            hosts("MONGO_HOSTNAME", "banter-bus-database:27017"),
            [("banter-bus-database".into(), HostClass::Name, Some(27017))]
        );
        assert_eq!(hosts("BROKERS", "kafka1:9092,kafka2:9092").len(), 2);
        assert!(hosts("TIME", "12:30").is_empty());
        assert!(hosts("IMAGE", "nginx:1.25").is_empty());
        assert!(hosts("RATIO", "a:b").is_empty());
        assert_eq!(hosts("DB", "127.0.0.1:5432")[0].1, HostClass::Loopback);
    }

    #[test]
    fn identifiers_in_url_form() {
        assert!(!is_peer_key("API_AUDIENCE"));
        assert!(!is_peer_key("SAML_NAMESPACE"));
        assert!(!is_peer_key("EVENT_SCHEMA"));
        assert!(is_peer_key("SCHEMA_REGISTRY_URL"));
        assert!(is_issuer_key("OIDC_ISSUER"));
        assert!(is_issuer_key("JWT_ISSUER_URL"));
        assert!(!is_issuer_key("ISSUER_DB_HOST"));
        assert!(hosts("XSD", "http://www.w3.org/2001/XMLSchema").is_empty());
    }

    #[test]
    fn bare_hosts_only_for_host_keys() {
        assert_eq!(
            hosts("BANTER_BUS_CORE_API_DB_HOST", "banter-bus-database"),
            [("banter-bus-database".into(), HostClass::Name, None)]
        );
        assert_eq!(hosts("REDIS_ADDR", "cache")[0].0, "cache");
        assert!(hosts("DB_NAME", "test").is_empty());
        assert!(hosts("DB_HOST", "none").is_empty());
        assert!(hosts("DB_HOST", "").is_empty());
        assert_eq!(hosts("DB_HOST", "10.0.0.5")[0].1, HostClass::Ip);
        assert!(hosts("SMTP_SERVER", "two words").is_empty());
    }
}
