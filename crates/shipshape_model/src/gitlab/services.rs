//! CI variables and services, read from merged values (SPEC-domain B4, B5).

use super::value::{Origin, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct Variable {
    pub name: String,
    pub name_origin: Origin,
    /// The value as a string; None when it is not a scalar (a list, a map without `value`).
    pub value: Option<String>,
    /// The scalar node of the value (the `value:` of the hash form).
    pub value_origin: Origin,
    /// `expand: false` makes the value raw.
    pub expand: bool,
}

/// The variables of a `variables:` mapping (scalars, or `{value, description, expand, ...}`).
pub fn variables(map: Option<&Value>) -> Vec<Variable> {
    let Some(map) = map else { return Vec::new() };
    map.entries()
        .iter()
        .map(|e| {
            let (value, value_origin, expand) = match &e.value {
                Value::Scalar { text, origin, .. } => (Some(text.to_string()), *origin, true),
                v @ Value::Map { .. } => {
                    let expand = v.get("expand").and_then(Value::as_str) != Some("false");
                    match v.get("value") {
                        Some(inner @ Value::Scalar { text, .. }) => {
                            (Some(text.to_string()), inner.origin(), expand)
                        }
                        _ => (None, v.origin(), expand),
                    }
                }
                other => (None, other.origin(), true),
            };
            Variable {
                name: e.key.to_string(),
                name_origin: e.key_origin,
                value,
                value_origin,
                expand,
            }
        })
        .collect()
}

/// One entry of `services:`.
#[derive(Clone, Debug, PartialEq)]
pub struct CiService {
    /// The image reference.
    pub image: String,
    pub image_origin: Origin,
    /// Explicit aliases, each with where it is written.
    pub aliases: Vec<(String, Origin)>,
    /// Every name the job's containers resolve the service by: derived from the image, then
    /// the aliases.
    pub hostnames: Vec<String>,
    pub variables: Vec<Variable>,
    pub command: Option<Value>,
    pub entrypoint: Option<Value>,
    /// The whole entry.
    pub origin: Origin,
}

impl CiService {
    pub fn answers_to(&self, host: &str) -> bool {
        self.hostnames.iter().any(|h| h.eq_ignore_ascii_case(host))
    }
}

/// The services of a `services:` list.
pub fn services(list: Option<&Value>) -> Vec<CiService> {
    let Some(list) = list else { return Vec::new() };
    list.items()
        .iter()
        .filter_map(|item| {
            let (image_value, map) = match item {
                Value::Scalar { .. } => (item, None),
                Value::Map { .. } => (item.get("name")?, Some(item)),
                _ => return None,
            };
            let image = image_value.as_str()?.to_string();
            let aliases: Vec<(String, Origin)> = map
                .and_then(|m| m.get("alias"))
                .and_then(|a| Some((a.as_str()?, a.origin())))
                .map(|(text, origin)| {
                    // Several names separated by commas and/or spaces.
                    text.replace(',', " ")
                        .split_whitespace()
                        .map(|n| (n.to_string(), origin))
                        .collect()
                })
                .unwrap_or_default();
            let mut hostnames = derived_hostnames(&image);
            hostnames.extend(aliases.iter().map(|(a, _)| a.clone()));
            Some(CiService {
                image_origin: image_value.origin(),
                image,
                aliases,
                hostnames,
                variables: variables(map.and_then(|m| m.get("variables"))),
                command: map.and_then(|m| m.get("command")).cloned(),
                entrypoint: map.and_then(|m| m.get("entrypoint")).cloned(),
                origin: item.origin(),
            })
        })
        .collect()
}

/// The names the runner derives from a service image (gitlab-runner
/// `helpers/container/services`): without tag, digest and registry port, `/` becomes `__`,
/// and also `-` when that differs. An image given by a variable gets none.
pub fn derived_hostnames(image: &str) -> Vec<String> {
    if crate::interpolation::is_dynamic(image) {
        return Vec::new();
    }
    let no_digest = image.split('@').next().unwrap_or(image);
    let last_slash = no_digest.rfind('/').map_or(0, |i| i + 1);
    let mut name = match no_digest[last_slash..].rfind(':') {
        Some(i) => no_digest[..last_slash + i].to_string(),
        None => no_digest.to_string(),
    };
    // Drop a registry port: `host:5000/group/app` -> `host/group/app`.
    if let Some((first, rest)) = name.split_once('/')
        && let Some((host, port)) = first.split_once(':')
        && port.bytes().all(|b| b.is_ascii_digit())
    {
        name = format!("{host}/{rest}");
    }
    let primary = name.replace('/', "__");
    let secondary = name.replace('/', "-");
    let mut out = vec![primary.clone()];
    if secondary != primary {
        out.push(secondary);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runner_hostnames() {
        assert_eq!(derived_hostnames("postgres:16"), ["postgres"]);
        assert_eq!(derived_hostnames("docker:24-dind"), ["docker"]);
        assert_eq!(
            derived_hostnames("tutum/wordpress:latest"),
            ["tutum__wordpress", "tutum-wordpress"]
        );
        assert_eq!(
            derived_hostnames("registry.example.com:4999/valkey/valkey"),
            [
                "registry.example.com__valkey__valkey",
                "registry.example.com-valkey-valkey"
            ]
        );
        assert_eq!(
            derived_hostnames("registry.gitlab.com/banter-bus/banter-bus-management-api:test"),
            [
                "registry.gitlab.com__banter-bus__banter-bus-management-api",
                "registry.gitlab.com-banter-bus-banter-bus-management-api"
            ]
        );
        assert!(derived_hostnames("$IMAGE").is_empty());
    }
}
