//! Use cases: one function per thing a user, provider or the scheduler asks of us; handlers parse, call one, render.

pub mod generations;
pub mod sweep;
pub mod uploads;
