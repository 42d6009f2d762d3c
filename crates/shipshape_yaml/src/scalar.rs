//! How plain scalars read as typed values.
//!
//! YAML 1.2's core schema is what Compose (Go yaml.v3) uses; GitLab's Ruby loader (Psych)
//! is YAML 1.1, which reads more words as booleans (`yes`, `on`) and `22:22` as a base-60
//! integer. Rules that care about the difference ask for the 1.1 reading explicitly.

/// `~`, `null`, `Null`, `NULL` or empty: null in both YAML 1.1 and 1.2.
pub fn is_null(plain: &str) -> bool {
    matches!(plain, "" | "~" | "null" | "Null" | "NULL")
}

/// A YAML 1.2 core-schema boolean.
pub fn as_bool(plain: &str) -> Option<bool> {
    match plain {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// A YAML 1.1 boolean, as Psych (GitLab) and PyYAML read it.
pub fn as_bool_yaml11(plain: &str) -> Option<bool> {
    match plain {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Some(true),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Some(false),
        _ => as_bool(plain),
    }
}

/// A YAML 1.2 core-schema integer (decimal, `0o` octal, `0x` hex).
pub fn as_int(plain: &str) -> Option<i64> {
    let (neg, digits) = match plain.as_bytes().first() {
        Some(b'-') => (true, &plain[1..]),
        Some(b'+') => (false, &plain[1..]),
        _ => (false, plain),
    };
    let value = if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()?
    } else if let Some(oct) = digits.strip_prefix("0o") {
        i64::from_str_radix(oct, 8).ok()?
    } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse().ok()?
    } else {
        return None;
    };
    Some(if neg { -value } else { value })
}

/// A YAML 1.2 core-schema float (`1.5`, `1e3`, `.inf`, `.nan`).
pub fn is_float(plain: &str) -> bool {
    let body = plain.strip_prefix(['-', '+']).unwrap_or(plain);
    if matches!(body, ".inf" | ".Inf" | ".INF") || matches!(plain, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let mut seen_digit = false;
    let mut seen_dot = false;
    let mut seen_exp = false;
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'0'..=b'9' => seen_digit = true,
            b'.' if !seen_dot && !seen_exp => seen_dot = true,
            b'e' | b'E' if seen_digit && !seen_exp => {
                seen_exp = true;
                if matches!(bytes.get(i + 1), Some(b'+' | b'-')) {
                    i += 1;
                }
                if !matches!(bytes.get(i + 1), Some(b'0'..=b'9')) {
                    return false;
                }
            }
            _ => return false,
        }
        i += 1;
    }
    seen_digit && (seen_dot || seen_exp)
}

/// Whether a plain scalar reads as a number (int or float) in YAML 1.2.
pub fn is_number(plain: &str) -> bool {
    as_int(plain).is_some() || is_float(plain)
}

/// The YAML 1.1 base-60 integer reading of `a:b[:c...]`, as YAML 1.1 loaders produce for
/// an unquoted `22:22` (1342). Every part after the first must be below 60.
pub fn as_sexagesimal_yaml11(plain: &str) -> Option<i64> {
    let body = plain.strip_prefix(['-', '+']).unwrap_or(plain);
    let mut parts = body.split(':');
    let first = parts.next()?;
    if first.is_empty() || !first.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
        return None;
    }
    let mut value: i64 = first.replace('_', "").parse().ok()?;
    let mut n = 0;
    for part in parts {
        n += 1;
        if part.is_empty() || part.len() > 2 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let digit: i64 = part.parse().ok()?;
        if digit >= 60 {
            return None;
        }
        value = value.checked_mul(60)?.checked_add(digit)?;
    }
    (n > 0).then(|| {
        if plain.starts_with('-') {
            -value
        } else {
            value
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_schema() {
        assert!(is_null("~") && is_null("") && !is_null("none"));
        assert_eq!(as_bool("True"), Some(true));
        assert_eq!(as_bool("yes"), None);
        assert_eq!(as_bool_yaml11("yes"), Some(true));
        assert_eq!(as_int("0x1F"), Some(31));
        assert_eq!(as_int("-12"), Some(-12));
        assert_eq!(as_int("12a"), None);
        assert!(is_float("1.5") && is_float("-1e3") && is_float(".inf"));
        assert!(!is_float("1.2.3") && !is_float("e3") && !is_float("1e"));
    }

    #[test]
    fn sexagesimal() {
        assert_eq!(as_sexagesimal_yaml11("22:22"), Some(1342));
        assert_eq!(as_sexagesimal_yaml11("190:20:30"), Some(685_230));
        assert_eq!(as_sexagesimal_yaml11("8080:80"), None);
        assert_eq!(as_sexagesimal_yaml11("80:8080"), None);
        assert_eq!(as_sexagesimal_yaml11("22"), None);
    }
}
