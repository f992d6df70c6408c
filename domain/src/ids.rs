//! Identifiers. Configuration ids are stable operator-chosen codes (`H01`, `H01-W05`); ticket and
//! appointment ids are UUIDv7 strings chosen by whoever creates them (the domain has no randomness).

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            pub fn new(s: impl Into<String>) -> Self { Self(s.into()) }
            pub fn as_str(&self) -> &str { &self.0 }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(&self.0) }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self { Self(s.to_owned()) }
        }
    )*};
}

id_type!(
    /// The city (the root of the configuration tree).
    CityId,
    /// A service hall at any level (city, district, county, street, community).
    HallId,
    DepartmentId,
    /// A counter (窗口).
    WindowId,
    /// A service item (事项).
    ItemId,
    QueueId,
    StaffId,
    DeviceId,
    TicketId,
    AppointmentId,
);
