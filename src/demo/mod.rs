//! The demo province generator (stub; being written).
