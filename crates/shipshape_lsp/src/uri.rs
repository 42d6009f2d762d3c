//! `file://` URIs <-> paths. lsp-types 0.97's `Uri` has no `to_file_path`.

use std::path::{Path, PathBuf};

use lsp_types::Uri;

/// The path of a `file://` URI, percent-decoded; None for other schemes.
pub fn to_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    // `file:///home/x` has an empty authority; `file://localhost/home/x` names the host.
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = rest
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    Some(PathBuf::from(String::from_utf8(out).ok()?))
}

/// The `file://` URI of an absolute path, percent-encoded.
pub fn from_path(path: &Path) -> Option<Uri> {
    let text = path.to_str()?;
    if !text.starts_with('/') {
        return None;
    }
    let mut out = String::from("file://");
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_file_uris() {
        assert_eq!(
            to_path("file:///repo/.gitlab-ci.yml"),
            Some(PathBuf::from("/repo/.gitlab-ci.yml"))
        );
        assert_eq!(
            to_path("file:///a%20b/compose.yaml"),
            Some(PathBuf::from("/a b/compose.yaml"))
        );
        assert_eq!(
            to_path("file://localhost/x.yml"),
            Some(PathBuf::from("/x.yml"))
        );
        assert_eq!(to_path("untitled:Untitled-1"), None);
        let uri = from_path(Path::new("/a b/.gitlab-ci.yml")).unwrap();
        assert_eq!(uri.as_str(), "file:///a%20b/.gitlab-ci.yml");
        assert_eq!(
            to_path(uri.as_str()),
            Some(PathBuf::from("/a b/.gitlab-ci.yml"))
        );
    }
}
