//! The `/api/v1` wire of the hall and city node: the requests, responses and views of every HTTP route,
//! the one error body ([`ErrorBody`]) and builders for the paths the clients call ([`paths`]).
//!
//! **API boundary.** Plain serde data with public fields, shared by the server (which serializes it) and
//! its clients (kiosk, window terminal, hall wall, lawyer desk, `edge`), so a renamed field is a compile
//! error on both sides instead of an empty screen. No HTTP, no storage, no runtime: the crate builds for
//! `wasm32-unknown-unknown`. The `openapi` feature adds `utoipa` schemas for the server's document; the
//! `lawyer` feature adds the lawyer platform's wire.
//!
//! Modules follow the route areas. Constructors that only need the hall rules (`TicketView::new`,
//! `WindowView::new`, `AppointmentView::new`) live with their types; anything needing the node's keys,
//! store or caller stays in the server.

/// A snake_case string enum with its wire spelling (`as_str`, `parse`) and Chinese label (`label_zh`).
#[cfg(feature = "lawyer")]
macro_rules! str_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal / $zh:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v),+ }
        impl $name {
            pub fn as_str(self) -> &'static str { match self { $($name::$v => $s),+ } }
            pub fn parse(s: &str) -> Option<$name> { match s { $($s => Some($name::$v),)+ _ => None } }
            pub fn label_zh(self) -> &'static str { match self { $($name::$v => $zh),+ } }
        }
    };
}
pub mod access;
pub mod appointments;
pub mod cases;
pub mod citizen_codes;
#[cfg(feature = "lawyer")]
pub mod consultations;
pub mod counter;
pub mod devices;
pub mod error;
pub mod feed;
pub mod halls;
#[cfg(feature = "lawyer")]
pub mod import;
pub mod kiosk;
#[cfg(feature = "lawyer")]
pub mod lawyer;
#[cfg(feature = "lawyer")]
pub mod mediation;
pub mod paths;
#[cfg(feature = "lawyer")]
pub mod people;
#[cfg(feature = "lawyer")]
pub mod quality;
#[cfg(feature = "lawyer")]
pub mod reports;
pub mod sync;
pub mod tickets;
#[cfg(feature = "lawyer")]
pub mod video;
pub mod views;
pub mod windows;
#[cfg(feature = "lawyer")]
pub mod words;

pub use error::ErrorBody;

// The member-name tests cover the lawyer wire too.
#[cfg(all(test, feature = "lawyer"))]
mod tests;
