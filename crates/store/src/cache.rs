//! A small read cache. Entries are tagged with the cache epochs they were read at (the global
//! one, then those of the scopes the value depends on; see `Store::cached_in`) and are used
//! only while none has moved, so a write by this or any other server invalidates what it may
//! have changed. Bounded: when full it is emptied.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const MAX_ENTRIES: usize = 4096;

type Entry = (Vec<i64>, Arc<dyn Any + Send + Sync>);

#[derive(Default)]
pub struct ReadCache {
    entries: Mutex<HashMap<String, Entry>>,
}

impl ReadCache {
    pub fn get<T: Clone + 'static>(&self, key: &str, tag: &[i64]) -> Option<T> {
        let m = self.entries.lock().ok()?;
        let (s, v) = m.get(key)?;
        if s.as_slice() != tag {
            return None;
        }
        v.downcast_ref::<T>().cloned()
    }

    pub fn put<T: Clone + Send + Sync + 'static>(&self, key: String, tag: Vec<i64>, v: &T) {
        if let Ok(mut m) = self.entries.lock() {
            if m.len() >= MAX_ENTRIES {
                m.clear();
            }
            m.insert(key, (tag, Arc::new(v.clone())));
        }
    }
}
