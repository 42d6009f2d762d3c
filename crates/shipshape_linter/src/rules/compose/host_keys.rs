//! Environment keys whose host names a container's own address or a public name, not a
//! peer to connect to: the host rules leave them alone.

/// Whole key names, or key parts (split on `_`), that mean "this container" or "the
/// outside world".
const SELF_KEYS: &[&str] = &[
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
];

pub fn is_peer_key(key: &str) -> bool {
    let upper = key.to_ascii_uppercase();
    !SELF_KEYS.contains(&upper.as_str()) && !upper.split('_').any(|part| SELF_PARTS.contains(&part))
}
