//! Limits on what an import reads, checked before the content is read whole.
//!
//! An XLSX file is a ZIP archive: a 10 MB upload may unpack to gigabytes, and calamine reads
//! the shared-strings table (and the styles) whole when it opens a workbook. [`check_xlsx`]
//! therefore measures every part of the archive first — by its declared size, then by
//! actually unpacking it into nothing, since the declared size may lie — and refuses the
//! file before calamine sees it. Sheets are streamed afterwards, with limits on rows, cells
//! and kept text (see `table.rs`).

use std::io::{Cursor, Read};

use crate::error::{Bound, ImportError};

/// Largest unpacked size of `xl/sharedStrings.xml` (read whole by calamine).
pub const MAX_SHARED_STRINGS_BYTES: u64 = 64 * 1024 * 1024;
/// Largest number of entries in the shared-strings table.
pub const MAX_SHARED_STRINGS: u64 = 1_000_000;
/// Largest unpacked size of any other part (a worksheet, the styles, …).
pub const MAX_PART_BYTES: u64 = 256 * 1024 * 1024;
/// Largest unpacked size of all parts together.
pub const MAX_UNPACKED_BYTES: u64 = 512 * 1024 * 1024;
/// A part that unpacks to more than [`RATIO_FLOOR`] bytes may not be more than this many times
/// its packed size: real worksheets compress 5–30×, a bomb ~1000×.
pub const MAX_RATIO: u64 = 250;
/// Below this unpacked size the ratio is not looked at (small parts compress very well).
pub const RATIO_FLOOR: u64 = 16 * 1024 * 1024;
/// Largest number of non-empty rows read from one sheet (or CSV file).
pub const MAX_ROWS: usize = 200_000;
/// Largest total of cell text kept from one sheet, in bytes (a long shared string referenced
/// by every cell would otherwise be copied into each).
pub const MAX_TEXT_BYTES: usize = 128 * 1024 * 1024;

fn too_much(what: Bound, limit: u64) -> ImportError {
    ImportError::TooMuch { what, limit }
}

/// Measures the parts of an XLSX archive; `Ok` when every limit holds. A file that is not a
/// readable ZIP archive passes (the workbook reader reports it).
pub(crate) fn check_xlsx(bytes: &[u8]) -> Result<(), ImportError> {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    // Declared sizes first: refuses an honest bomb without unpacking anything.
    let mut declared_total: u64 = 0;
    for i in 0..archive.len() {
        let Ok(f) = archive.by_index_raw(i) else {
            continue;
        };
        let (limit, size) = (part_limit(f.name()), f.size());
        if size > limit {
            return Err(too_much(Bound::Unpacked, limit));
        }
        if size > RATIO_FLOOR && size / f.compressed_size().max(1) > MAX_RATIO {
            return Err(too_much(Bound::Unpacked, RATIO_FLOOR));
        }
        declared_total = declared_total.saturating_add(size);
    }
    if declared_total > MAX_UNPACKED_BYTES {
        return Err(too_much(Bound::Unpacked, MAX_UNPACKED_BYTES));
    }
    // Then what the parts really unpack to: the sizes above are the archive's own word.
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let Ok(mut f) = archive.by_index(i) else {
            continue;
        };
        let shared = is_shared_strings(f.name());
        let limit = part_limit(f.name());
        let packed = f.compressed_size().max(1);
        let mut counter = SiCounter::default();
        let mut buf = vec![0u8; 64 * 1024];
        let mut size: u64 = 0;
        loop {
            let n = match f.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                // A corrupt part: the workbook reader reports it.
                Err(_) => break,
            };
            size += n as u64;
            total += n as u64;
            if size > limit {
                return Err(too_much(Bound::Unpacked, limit));
            }
            if total > MAX_UNPACKED_BYTES {
                return Err(too_much(Bound::Unpacked, MAX_UNPACKED_BYTES));
            }
            if size > RATIO_FLOOR && size / packed > MAX_RATIO {
                return Err(too_much(Bound::Unpacked, RATIO_FLOOR));
            }
            if shared {
                counter.feed(buf.get(..n).unwrap_or_default());
                if counter.count > MAX_SHARED_STRINGS {
                    return Err(too_much(Bound::SharedStrings, MAX_SHARED_STRINGS));
                }
            }
        }
    }
    Ok(())
}

fn is_shared_strings(name: &str) -> bool {
    name.eq_ignore_ascii_case("xl/sharedStrings.xml")
}

fn part_limit(name: &str) -> u64 {
    if is_shared_strings(name) {
        MAX_SHARED_STRINGS_BYTES
    } else {
        MAX_PART_BYTES
    }
}

/// Counts `<si>` / `<si …>` start tags (with or without a namespace prefix) in a stream of
/// chunks. An upper bound of the entries calamine keeps.
#[derive(Default)]
struct SiCounter {
    count: u64,
    /// The last bytes of the previous chunk, so a tag split between chunks is seen.
    tail: Vec<u8>,
}

impl SiCounter {
    fn feed(&mut self, chunk: &[u8]) {
        let mut window = std::mem::take(&mut self.tail);
        // Positions whose four bytes all lay in the kept tail were looked at last time.
        let mut i = window.len().saturating_sub(3);
        window.extend_from_slice(chunk);
        while i + 3 < window.len() {
            // `<si` or `:si` (a prefixed `<x:si`) followed by `>`, space or `/`; an end tag
            // `</x:si>` is skipped by its `/` before the name.
            let at = window.get(i..i + 4).unwrap_or_default();
            if (at[0] == b'<' || at[0] == b':')
                && at[1] == b's'
                && at[2] == b'i'
                && matches!(at[3], b'>' | b' ' | b'/' | b'\t' | b'\r' | b'\n')
                && !(at[0] == b':' && i > 0 && ends_end_tag(&window[..i]))
            {
                self.count += 1;
            }
            i += 1;
        }
        let keep = window.len().min(64);
        self.tail = window.split_off(window.len() - keep);
    }
}

/// Whether the bytes before a `:` are `</prefix` (an end tag).
fn ends_end_tag(before: &[u8]) -> bool {
    let name_start = before
        .iter()
        .rposition(|b| !(b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-' || *b == b'.'));
    match name_start {
        Some(p) => p > 0 && before[p] == b'/' && before[p - 1] == b'<',
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(chunks: &[&[u8]]) -> u64 {
        let mut c = SiCounter::default();
        for ch in chunks {
            c.feed(ch);
        }
        c.count
    }

    /// A workbook whose shared strings unpack to `size` bytes, the archive declaring
    /// `declared` bytes instead when given.
    fn workbook(size: usize, declared: Option<u32>) -> Vec<u8> {
        use std::io::Write;
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        w.start_file("xl/workbook.xml", opts).expect("start");
        w.write_all(b"<workbook/>").expect("write");
        w.start_file("xl/sharedStrings.xml", opts).expect("start");
        w.write_all(b"<sst><si><t>").expect("write");
        let chunk = vec![b'A'; 1024 * 1024];
        for _ in 0..size / chunk.len() {
            w.write_all(&chunk).expect("write");
        }
        w.write_all(b"</t></si></sst>").expect("write");
        let mut bytes = w.finish().expect("finish").into_inner();
        if let Some(declared) = declared {
            // Rewrite the uncompressed size of the shared strings in the local header
            // (offset 22) and in the central directory (offset 24).
            let name = b"xl/sharedStrings.xml";
            for (sig, off) in [
                ([0x50u8, 0x4b, 0x03, 0x04], 22usize),
                ([0x50, 0x4b, 0x01, 0x02], 24),
            ] {
                let name_at = if sig[2] == 3 { 30 } else { 46 };
                let mut i = 0;
                while i + name_at + name.len() <= bytes.len() {
                    if bytes[i..i + 4] == sig
                        && &bytes[i + name_at..i + name_at + name.len()] == name
                    {
                        bytes[i + off..i + off + 4].copy_from_slice(&declared.to_le_bytes());
                    }
                    i += 1;
                }
            }
        }
        bytes
    }

    #[test]
    fn a_bomb_is_refused_by_its_declared_and_by_its_real_size() {
        assert!(check_xlsx(&workbook(1024 * 1024, None)).is_ok());
        let honest = workbook(100 * 1024 * 1024, None);
        assert!(matches!(
            check_xlsx(&honest),
            Err(ImportError::TooMuch {
                what: Bound::Unpacked,
                ..
            })
        ));
        // The archive lies about the size: refused once unpacking passes the limit.
        let lying = workbook(100 * 1024 * 1024, Some(1000));
        let archive = zip::ZipArchive::new(Cursor::new(&lying[..])).expect("zip");
        assert_eq!(archive.len(), 2);
        assert!(matches!(
            check_xlsx(&lying),
            Err(ImportError::TooMuch {
                what: Bound::Unpacked,
                ..
            })
        ));
    }

    #[test]
    fn counts_shared_strings_across_chunks() {
        assert_eq!(
            count(&[b"<sst><si><t>a</t></si><si><t>b</t></si></sst>"]),
            2
        );
        assert_eq!(
            count(&[b"<sst><s", b"i><t>a</t></si><si", b" x=\"1\"/>"]),
            2
        );
        assert_eq!(count(&[b"<x:si><x:t>a</x:t></x:si><x:si/>"]), 2);
        assert_eq!(count(&[b"<sst count=\"3\"><t>si</t></sst>"]), 0);
        let many = b"<si><t>a</t></si>".repeat(10_000);
        let chunks: Vec<&[u8]> = many.chunks(7).collect();
        assert_eq!(count(&chunks), 10_000);
    }
}
