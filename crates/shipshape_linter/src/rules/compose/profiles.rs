//! Whether two services can run at the same time, as far as profiles tell.

use shipshape_model::compose::Service;

/// A service without profiles always runs; two services with profiles run together only
/// when some profile enables both.
pub fn can_run_together(a: &Service, b: &Service) -> bool {
    a.profiles.is_empty()
        || b.profiles.is_empty()
        || a.profiles
            .iter()
            .any(|p| b.profiles.iter().any(|q| q.value == p.value))
}
