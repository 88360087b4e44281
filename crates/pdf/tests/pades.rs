//! PAdES signatures: the demo CA signs, a trust list decides, and what a forger produces
//! does not hold.

mod common;

use thidua_pdf::pades::{self, DemoCa};
use thidua_pdf::render_document;

fn issued() -> Vec<u8> {
    render_document(
        &common::document(thidua_domain::document::DocumentKind::Pact),
        &common::letterhead(),
        &common::pact_signatures(),
        Some(&common::verification()),
        None,
    )
    .expect("render")
}

#[test]
fn demo_ca_signatures_hold_against_its_trust_list_only() {
    let ca = DemoCa::generate("Thi Dua demo CA").expect("ca");
    let p12 = ca
        .issue_p12("Nguyễn Văn A", "Viện kiểm sát nhân dân tỉnh Trà Vinh", "pw")
        .expect("p12");
    let subject = pades::p12_subject(&p12, "pw").expect("subject");
    assert!(subject.contains("Trà Vinh"), "{subject}");
    assert!(pades::p12_subject(&p12, "wrong").is_err());
    let pdf = issued();
    let signed = pades::sign(&pdf, &p12, "pw", "Nguyễn Văn A", "Ký giao ước", None).expect("sign");
    assert!(
        signed.starts_with(&pdf),
        "an incremental update keeps the issued bytes"
    );
    let trust = vec![ca.cert_der().expect("der")];
    let v = pades::verify(&signed, &trust).expect("verify");
    assert!(v.holds(), "{v:?}");
    assert!(v.signatures[0].subject.contains("Trà Vinh"));
    // Against another trust list: valid, not trusted.
    let other = DemoCa::generate("Other").expect("ca");
    let v = pades::verify(&signed, &[other.cert_der().expect("der")]).expect("verify");
    assert!(v.signatures[0].valid && !v.signatures[0].trusted);
    assert!(!v.holds());
    // A second signature keeps the first valid; both cover the issued bytes.
    let p12b = ca
        .issue_p12("Trần Thị B", "Viện kiểm sát nhân dân tỉnh Sóc Trăng", "pw")
        .expect("p12");
    let twice = pades::sign(&signed, &p12b, "pw", "Trần Thị B", "Ký giao ước", None).expect("sign");
    let v = pades::verify(&twice, &trust).expect("verify");
    assert_eq!(v.signatures.len(), 2);
    assert!(v.holds(), "{v:?}");
    assert_eq!(v.signatures[0].signed_len, signed.len());
    // Zero signatures never hold.
    assert!(!pades::verify(&pdf, &trust).expect("verify").holds());
    // A CA round-trips through its stored parts.
    let (c, k) = ca.to_parts().expect("parts");
    let again = DemoCa::from_parts(&c, &k).expect("from parts");
    assert_eq!(again.cert_der().expect("der"), c);
}

fn signed_twice() -> (Vec<u8>, Vec<u8>, Vec<Vec<u8>>) {
    let ca = DemoCa::generate("Thi Dua demo CA").expect("ca");
    let pdf = issued();
    let mut out = pdf.clone();
    for (who, unit) in [
        ("Nguyễn Văn A", "Viện kiểm sát nhân dân tỉnh Trà Vinh"),
        ("Trần Thị B", "Viện kiểm sát nhân dân tỉnh Sóc Trăng"),
    ] {
        let p12 = ca.issue_p12(who, unit, "pw").expect("p12");
        out = pades::sign(&out, &p12, "pw", who, "Ký", None).expect("sign");
    }
    (pdf, out, vec![ca.cert_der().expect("der")])
}

/// The forger's attempts of the adversarial review, on a PDF signed by two members.
#[test]
fn what_a_forger_makes_of_a_signed_pdf_does_not_hold() {
    let (issued, signed, trust) = signed_twice();
    assert!(pades::verify(&signed, &trust).expect("verify").holds());

    // (a) A byte of the signed text changed in place.
    let mut edited = signed.clone();
    let at = issued.len() / 2;
    edited[at] ^= 0x20;
    let v = pades::verify(&edited, &trust).expect("verify");
    assert!(!v.holds(), "an edited byte: {v:?}");

    // (b) The issued bytes signed again by the forger's own CA, with the same names.
    let forger = DemoCa::generate("Thi Dua demo CA").expect("ca");
    let mut forged = issued.clone();
    for (who, unit) in [
        ("Nguyễn Văn A", "Viện kiểm sát nhân dân tỉnh Trà Vinh"),
        ("Trần Thị B", "Viện kiểm sát nhân dân tỉnh Sóc Trăng"),
    ] {
        let p12 = forger.issue_p12(who, unit, "x").expect("p12");
        forged = pades::sign(&forged, &p12, "x", who, "Ký", None).expect("sign");
    }
    let v = pades::verify(&forged, &trust).expect("verify");
    assert!(v.signatures.iter().all(|s| s.valid && !s.trusted), "{v:?}");
    assert!(!v.holds());

    // (c) Signatures stripped: back to the issued bytes, zero signatures.
    let v = pades::verify(&issued, &trust).expect("verify");
    assert!(v.signatures.is_empty() && !v.holds());

    // A page changed by an incremental update after the last signature: the signatures
    // still verify over their own bytes, but the file is not what was signed.
    let doc = lopdf::Document::load_mem(&signed).expect("load");
    let page = *doc.get_pages().values().next().expect("a page");
    let mut inc = lopdf::IncrementalDocument::create_from(signed.clone(), doc);
    inc.opt_clone_object_to_new_document(page)
        .expect("clone page");
    let content = inc.new_document.add_object(lopdf::Stream::new(
        lopdf::Dictionary::new(),
        b"BT /F1 12 Tf 72 712 Td (co cong chuc vi pham) Tj ET".to_vec(),
    ));
    inc.new_document
        .get_object_mut(page)
        .and_then(|o| o.as_dict_mut())
        .expect("page dict")
        .set("Contents", lopdf::Object::Reference(content));
    let mut changed = Vec::new();
    inc.save_to(&mut changed).expect("save");
    assert!(changed.starts_with(&signed));
    let v = pades::verify(&changed, &trust).expect("verify");
    assert_eq!(v.signatures.len(), 2);
    assert!(v.signatures.iter().all(|s| s.valid), "{v:?}");
    assert!(!v.intact && !v.holds(), "{v:?}");
}

/// (e) of the adversarial review: a second file spec with the bundle's name, placed where a
/// reader walking every object finds it first, is never read; two files listed under one
/// name are refused.
#[test]
fn only_the_catalogs_own_attachment_is_read() {
    let genuine = b"{\"genuine\":true}".to_vec();
    let pdf = render_document(
        &common::document(thidua_domain::document::DocumentKind::Pact),
        &common::letterhead(),
        &common::pact_signatures(),
        Some(&common::verification()),
        Some(&thidua_pdf::Attachment {
            name: "bundle.json".into(),
            bytes: genuine.clone(),
        }),
    )
    .expect("render");
    assert_eq!(
        thidua_pdf::extract_attachment(&pdf, "bundle.json").expect("read"),
        Some(genuine.clone())
    );
    // A decoy file spec replaces the lowest-numbered object that is not the catalog.
    let doc = lopdf::Document::load_mem(&pdf).expect("load");
    let catalog = doc
        .trailer
        .get(b"Root")
        .and_then(|r| r.as_reference())
        .expect("root");
    let victim = *doc
        .objects
        .keys()
        .find(|id| **id != catalog)
        .expect("an object");
    let mut inc = lopdf::IncrementalDocument::create_from(pdf.clone(), doc);
    let decoy = inc.new_document.add_object(lopdf::Stream::new(
        lopdf::Dictionary::new(),
        b"{\"genuine\":false}".to_vec(),
    ));
    let mut ef = lopdf::Dictionary::new();
    ef.set("F", lopdf::Object::Reference(decoy));
    let mut spec = lopdf::Dictionary::new();
    spec.set("Type", lopdf::Object::Name(b"Filespec".to_vec()));
    spec.set("F", lopdf::Object::string_literal("bundle.json"));
    spec.set("UF", lopdf::Object::string_literal("bundle.json"));
    spec.set("EF", lopdf::Object::Dictionary(ef));
    inc.new_document
        .set_object(victim, lopdf::Object::Dictionary(spec.clone()));
    let mut with_decoy = Vec::new();
    inc.save_to(&mut with_decoy).expect("save");
    assert_eq!(
        thidua_pdf::extract_attachment(&with_decoy, "bundle.json").expect("read"),
        Some(genuine),
        "the decoy was read"
    );
    // Two entries under one name in the catalog's own list: refused, not guessed.
    let doc = lopdf::Document::load_mem(&pdf).expect("load");
    let names = doc
        .catalog()
        .and_then(|c| c.get(b"Names"))
        .and_then(|n| doc.dereference(n).map(|(id, _)| id))
        .ok()
        .flatten();
    let mut inc = lopdf::IncrementalDocument::create_from(pdf.clone(), doc.clone());
    let spec_id = inc.new_document.add_object(spec);
    let tree = lopdf::Object::Dictionary(lopdf::Dictionary::from_iter(vec![(
        "Names",
        lopdf::Object::Array(vec![
            lopdf::Object::string_literal("bundle.json"),
            lopdf::Object::Reference(spec_id),
            lopdf::Object::string_literal("bundle.json"),
            lopdf::Object::Reference(spec_id),
        ]),
    )]));
    let names_dict =
        lopdf::Object::Dictionary(lopdf::Dictionary::from_iter(vec![("EmbeddedFiles", tree)]));
    match names {
        Some(id) => inc.new_document.set_object(id, names_dict),
        None => {
            let root = doc
                .trailer
                .get(b"Root")
                .and_then(|r| r.as_reference())
                .expect("root");
            inc.opt_clone_object_to_new_document(root).expect("clone");
            inc.new_document
                .get_object_mut(root)
                .and_then(|o| o.as_dict_mut())
                .expect("catalog")
                .set("Names", names_dict);
        }
    }
    let mut twice = Vec::new();
    inc.save_to(&mut twice).expect("save");
    assert!(thidua_pdf::extract_attachment(&twice, "bundle.json").is_err());
}

/// With a timestamp authority the signature's time is attested (PAdES B-T), and the file
/// still verifies as before.
#[test]
fn a_timestamp_authority_makes_it_b_t() {
    let tsa = pdf_signer::testkit::mock_tsa(Default::default());
    let ca = DemoCa::generate("Thi Dua demo CA").expect("ca");
    let p12 = ca
        .issue_p12("Nguyễn Văn A", "Viện kiểm sát nhân dân tỉnh Trà Vinh", "pw")
        .expect("p12");
    let signed =
        pades::sign_with(&issued(), &p12, "pw", "A", "Ký", None, Some(&tsa.url)).expect("sign");
    let trust = vec![ca.cert_der().expect("der"), tsa.root_der.clone()];
    let v = pades::verify(&signed, &trust).expect("verify");
    assert!(v.holds(), "{v:?}");
    assert!(v.signatures[0].timestamped, "{v:?}");
    // Without a TSA: valid, not timestamped.
    let plain = pades::sign(&issued(), &p12, "pw", "A", "Ký", None).expect("sign");
    let v = pades::verify(&plain, &trust).expect("verify");
    assert!(v.holds() && !v.signatures[0].timestamped);
}
