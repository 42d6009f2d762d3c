//! Rules about Docker Compose files and projects.

pub mod broken_include;
pub mod compose_schema;
pub mod depends_on_cycle;
pub mod duplicate_container_name;
pub mod duplicate_host_port;
mod env_hosts;
pub mod healthy_without_healthcheck;
pub mod image_tag;
pub mod invalid_interpolation;
pub mod localhost_reference;
pub mod malformed_port;
pub mod malformed_volume;
pub mod missing_depends_on;
pub mod missing_env_file;
pub mod missing_image_or_build;
pub mod missing_readiness;
pub mod network_mode_with_networks;
pub mod obsolete_version;
pub mod platform_not_in_build_platforms;
mod profiles;
pub mod undefined_resource;
pub mod undefined_variable;
pub mod unknown_host;
pub mod unknown_service_reference;
pub mod unquoted_port;
