//! A small read cache. Entries are tagged with the audit head sequence they were read at and
//! are used only while the head has not moved, so a write by this or any other server
//! invalidates them all. Bounded: when full it is emptied.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const MAX_ENTRIES: usize = 4096;

type Entry = (i64, Arc<dyn Any + Send + Sync>);

#[derive(Default)]
pub struct ReadCache {
    entries: Mutex<HashMap<String, Entry>>,
}

impl ReadCache {
    pub fn get<T: Clone + 'static>(&self, key: &str, seq: i64) -> Option<T> {
        let m = self.entries.lock().ok()?;
        let (s, v) = m.get(key)?;
        if *s != seq {
            return None;
        }
        v.downcast_ref::<T>().cloned()
    }

    pub fn put<T: Clone + Send + Sync + 'static>(&self, key: String, seq: i64, v: &T) {
        if let Ok(mut m) = self.entries.lock() {
            if m.len() >= MAX_ENTRIES {
                m.clear();
            }
            m.insert(key, (seq, Arc::new(v.clone())));
        }
    }
}
