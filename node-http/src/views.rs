//! Response shapes. Personal data appears only masked unless the caller's role needs it.

use domain::config::Role;

use crate::caller::Caller;
pub use hall_api::views::{CitizenView, QueueWaiting, TicketView, WindowView};
use node_core::crypto::{Sealer, mask_id_number, mask_name, mask_phone};

pub use node_core::service::citizens::{SealedCitizen, parse_day};

/// How the node opens a ticket's sealed citizen for a caller (the view itself is wire data in `hall_api`).
pub trait CitizenViewExt {
    /// Window staff handle the citizen's matter and see the full values; everyone else sees masks.
    fn from_sealed(sealed: &str, sealer: &Sealer, caller: &Caller) -> Option<CitizenView>;
}

impl CitizenViewExt for CitizenView {
    fn from_sealed(sealed: &str, sealer: &Sealer, caller: &Caller) -> Option<CitizenView> {
        let s: SealedCitizen = serde_json::from_str(sealed).ok()?;
        let open = |v: &Option<String>| v.as_deref().and_then(|x| sealer.open(x).ok());
        let full = caller.staff.as_ref().is_some_and(|s| s.has(&[Role::WindowStaff]));
        let (id, name, phone) = (open(&s.id_number), open(&s.name), open(&s.phone));
        Some(if full {
            CitizenView {
                id_number: id,
                name,
                phone,
                masked: false,
            }
        } else {
            CitizenView {
                id_number: id.as_deref().map(mask_id_number),
                name: name.as_deref().map(mask_name),
                phone: phone.as_deref().map(mask_phone),
                masked: true,
            }
        })
    }
}
