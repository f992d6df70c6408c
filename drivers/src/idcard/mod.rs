//! ID card reader (SAM serial protocol, GA/T 467).
