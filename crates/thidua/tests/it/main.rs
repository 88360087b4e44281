//! The integration tests: one binary (one link, one process per test under nextest) over a
//! real server and database; each module is one area of the system.

#[path = "../common/mod.rs"]
mod common;

mod activities;
mod api;
mod bounded;
mod cli;
mod deep_audit;
mod documents;
mod durability;
mod faults;
mod group_pages;
mod groups;
mod matrix;
mod movements;
mod national;
mod notifications;
mod records;
mod registrations;
mod registry;
mod regressions;
mod scoring;
mod yearend;
