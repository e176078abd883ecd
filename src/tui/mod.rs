//! The terminal interface (stub; being written).
