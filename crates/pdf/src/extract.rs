//! Reading an embedded file back out of a PDF, for offline verification of a printed file.

use lopdf::{Dictionary, Document, Object};

use crate::PdfError;

/// A PDF text string: UTF-16BE with a byte order mark, UTF-8 with its mark, or (close enough
/// for file names) PDFDocEncoding read as Latin-1.
fn text_string(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        bytes.iter().map(|&b| char::from(b)).collect()
    }
}

fn resolve<'a>(doc: &'a Document, obj: &'a Object) -> Option<&'a Object> {
    doc.dereference(obj).ok().map(|(_, o)| o)
}

fn file_names(doc: &Document, spec: &Dictionary) -> Vec<String> {
    [b"UF".as_slice(), b"F".as_slice()]
        .iter()
        .filter_map(|key| spec.get(key).ok())
        .filter_map(|o| resolve(doc, o))
        .filter_map(|o| o.as_str().ok())
        .map(text_string)
        .collect()
}

fn embedded_stream(doc: &Document, spec: &Dictionary) -> Option<Vec<u8>> {
    let ef = resolve(doc, spec.get(b"EF").ok()?)?.as_dict().ok()?;
    let file = ef.get(b"F").or_else(|_| ef.get(b"UF")).ok()?;
    let stream = resolve(doc, file)?.as_stream().ok()?;
    if stream.dict.get(b"Filter").is_ok() {
        stream.decompressed_content().ok()
    } else {
        Some(stream.content.clone())
    }
}

/// Collect the file specifications of an EmbeddedFiles name tree (its `Names` pairs and its
/// `Kids`, to a bounded depth), with the name each is listed under.
fn name_tree<'a>(
    doc: &'a Document,
    node: &'a Dictionary,
    depth: usize,
    out: &mut Vec<(String, &'a Dictionary)>,
) {
    if depth > 16 {
        return;
    }
    if let Some(names) = node
        .get(b"Names")
        .ok()
        .and_then(|o| resolve(doc, o))
        .and_then(|o| o.as_array().ok())
    {
        for pair in names.chunks(2) {
            let [key, spec] = pair else { continue };
            let Some(key) = resolve(doc, key).and_then(|k| k.as_str().ok()) else {
                continue;
            };
            if let Some(spec) = resolve(doc, spec).and_then(|s| s.as_dict().ok()) {
                out.push((text_string(key), spec));
            }
        }
    }
    if let Some(kids) = node
        .get(b"Kids")
        .ok()
        .and_then(|o| resolve(doc, o))
        .and_then(|o| o.as_array().ok())
    {
        for kid in kids {
            if let Some(k) = resolve(doc, kid).and_then(|k| k.as_dict().ok()) {
                name_tree(doc, k, depth + 1, out);
            }
        }
    }
}

/// The bytes of the file embedded under `name`, `Ok(None)` when the PDF has no such file,
/// `Err` when the input is not a readable PDF or lists two files under that name.
///
/// Only the document catalog's own EmbeddedFiles name tree counts — the list a PDF reader
/// shows as the document's attachments — so a second file spec hidden elsewhere in the file
/// (an unreferenced object, an annotation) is never read in its place.
pub fn extract_attachment(pdf: &[u8], name: &str) -> Result<Option<Vec<u8>>, PdfError> {
    if !pdf.starts_with(b"%PDF-") {
        return Err(PdfError::NotPdf("missing %PDF- header".to_owned()));
    }
    let doc = Document::load_mem(pdf).map_err(|e| PdfError::NotPdf(e.to_string()))?;
    let catalog = doc.catalog().map_err(|e| PdfError::NotPdf(e.to_string()))?;
    let Some(tree) = catalog
        .get(b"Names")
        .ok()
        .and_then(|o| resolve(&doc, o))
        .and_then(|o| o.as_dict().ok())
        .and_then(|n| n.get(b"EmbeddedFiles").ok())
        .and_then(|o| resolve(&doc, o))
        .and_then(|o| o.as_dict().ok())
    else {
        return Ok(None);
    };
    let mut specs = Vec::new();
    name_tree(&doc, tree, 0, &mut specs);
    let found: Vec<&Dictionary> = specs
        .into_iter()
        .filter(|(key, spec)| key == name || file_names(&doc, spec).iter().any(|n| n == name))
        .map(|(_, spec)| spec)
        .collect();
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(embedded_stream(&doc, one)),
        _ => Err(PdfError::NotPdf(format!(
            "two embedded files are named {name:?}"
        ))),
    }
}
