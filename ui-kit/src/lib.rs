//! Shared Leptos pieces of the desktop apps (window terminal, hall wall, kiosk, lawyer app): the Tauri
//! bridge ([`bridge`]), zh/en text resources ([`i18n`]), the offline banner and the device-status chips
//! ([`components`]) and the theme (`style/theme.css`, copied into every app's `dist/` by
//! `cargo xtask ui`). Apps reuse these instead of copying them.

pub mod bridge;
pub mod components;
pub mod i18n;

pub use app_types::{CommandError, DeviceHealth, DeviceStatus, LinkStatus};
