//! Ticket printer (ESC/POS).
