//! A small read cache for hot lists. Entries are tagged with the audit head sequence they
//! were read at and are used only while the head has not moved, so a write by this or any
//! other server invalidates them. Bounded: when full it is emptied.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::units::Unit;
use crate::Page;

const MAX_ENTRIES: usize = 256;

#[derive(Default)]
pub struct ReadCache {
    unit_pages: Mutex<HashMap<String, (i64, Page<Unit>)>>,
    all_units: Mutex<Option<(i64, Vec<Unit>)>>,
}

impl ReadCache {
    pub fn unit_page(&self, key: &str, seq: i64) -> Option<Page<Unit>> {
        let m = self.unit_pages.lock().ok()?;
        m.get(key)
            .filter(|(s, _)| *s == seq)
            .map(|(_, p)| p.clone())
    }

    pub fn put_unit_page(&self, key: String, seq: i64, page: &Page<Unit>) {
        if let Ok(mut m) = self.unit_pages.lock() {
            if m.len() >= MAX_ENTRIES {
                m.clear();
            }
            m.insert(key, (seq, page.clone()));
        }
    }

    pub fn all_units(&self, seq: i64) -> Option<Vec<Unit>> {
        let m = self.all_units.lock().ok()?;
        m.as_ref()
            .filter(|(s, _)| *s == seq)
            .map(|(_, v)| v.clone())
    }

    pub fn put_all_units(&self, seq: i64, units: &[Unit]) {
        if let Ok(mut m) = self.all_units.lock() {
            *m = Some((seq, units.to_vec()));
        }
    }
}
