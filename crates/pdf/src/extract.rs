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

/// The bytes of the file embedded under `name`, `Ok(None)` when the PDF has no such file,
/// `Err` when the input is not a readable PDF.
pub fn extract_attachment(pdf: &[u8], name: &str) -> Result<Option<Vec<u8>>, PdfError> {
    if !pdf.starts_with(b"%PDF-") {
        return Err(PdfError::NotPdf("missing %PDF- header".to_owned()));
    }
    let doc = Document::load_mem(pdf).map_err(|e| PdfError::NotPdf(e.to_string()))?;
    // File specifications are found wherever they are referenced from (the EmbeddedFiles name
    // tree, associated files): every dictionary with an /EF entry is one.
    for obj in doc.objects.values() {
        let Ok(dict) = obj.as_dict() else { continue };
        if dict.get(b"EF").is_err() {
            continue;
        }
        if file_names(&doc, dict).iter().any(|n| n == name) {
            if let Some(bytes) = embedded_stream(&doc, dict) {
                return Ok(Some(bytes));
            }
        }
    }
    Ok(None)
}
