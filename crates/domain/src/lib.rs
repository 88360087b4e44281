//! Pure rules of Thi Đua. No I/O, no async, no database types: everything here is a
//! function of its arguments, so it can be property-tested and benchmarked in isolation.

pub mod activity;
pub mod audit;
pub mod auth;
pub mod ballot_box;
pub mod document;
pub mod editable;
pub mod election;
pub mod error;
pub mod movement;
pub mod news;
pub mod notification;
pub mod proposal;
pub mod records;
pub mod scoring;
pub mod signature;
pub mod text;
pub mod titles;
pub mod unit;

pub use error::{DomainError, FieldError};
