//! Properties of documents: sanitising is safe and idempotent, the hash covers every section,
//! and the line diff is exact (it reproduces both versions).

use proptest::prelude::*;
use thidua_domain::document::{
    canonical_bytes, content_hash, diff, plain_text, sanitize_html, validate, DiffLine,
    DocumentContent, DocumentKind, Section, ALLOWED_TAGS,
};

/// Pieces of hostile or ordinary HTML; concatenations of them exercise broken nesting,
/// unclosed tags, mixed case and attributes that must not survive.
fn fragment() -> impl Strategy<Value = String> {
    let fixed = prop::sample::select(vec![
        "<p>",
        "</p>",
        "<P>",
        "<strong>",
        "</strong>",
        "<em>",
        "</em>",
        "<ul>",
        "</ul>",
        "<ol>",
        "<li>",
        "</li>",
        "<table>",
        "</table>",
        "<thead>",
        "<tbody>",
        "<tr>",
        "</tr>",
        "<td>",
        "</td>",
        "<th>",
        "<br>",
        "<br/>",
        "<h3>",
        "</h4>",
        "<div>",
        "</div>",
        "<span>",
        "<b>",
        "<script>",
        "</script>",
        "<ScRiPt>alert(1)</sCrIpT>",
        "<script src=//evil.example/x.js></script>",
        "<style>p{}</style>",
        "<p onclick=\"steal()\">",
        "<td ONMOUSEOVER=x>",
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)>",
        "<a href=\"javascript:alert(1)\">",
        "<a href=JaVaScRiPt:alert(1)>",
        "<a href=\" javascript:x\">",
        "</a>",
        "<iframe src=\"javascript:alert(1)\"></iframe>",
        "<p style=\"background:url(javascript:x)\">",
        "<!-- <script>x</script> -->",
        "<![CDATA[<script>]]>",
        "<textarea><script></textarea>",
        "<xmp><a href=javascript:x></xmp>",
        "<math><mi xlink:href=\"javascript:x\">",
        "<p title=\"",
        "\">",
        "<",
        ">",
        "&",
        "&amp;",
        "&lt;",
        "&nbsp;",
        "&#60;",
        "\"",
        " ",
        "\n",
        "Đoàn kết",
        "kỷ cương, liêm chính",
        "Viện kiểm sát",
        "go on now",
        "Tỷ lệ ≥ 90%",
    ])
    .prop_map(str::to_owned);
    prop_oneof![
        4 => fixed,
        1 => "[a-zA-Zàáảãạăâđêôơưếộữ0-9 .,;:()=/-]{1,8}",
        1 => "\\PC{1,4}",
    ]
}

fn html() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..24).prop_map(|v| v.concat())
}

/// Every `<` in sanitised output opens a bare allowed tag: no attribute of any kind.
fn only_bare_allowed_tags(out: &str) -> bool {
    let mut rest = out;
    while let Some(lt) = rest.find('<') {
        let after = &rest[lt + 1..];
        let Some(gt) = after.find('>') else {
            return false;
        };
        let inner = &after[..gt];
        let name = inner.strip_prefix('/').unwrap_or(inner);
        if !ALLOWED_TAGS.contains(&name) {
            return false;
        }
        rest = &after[gt + 1..];
    }
    true
}

fn words() -> impl Strategy<Value = String> {
    "[A-Za-zĐđàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ ]{0,24}"
}

fn body() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            words().prop_map(|w| format!("<p>{w}</p>")),
            prop::collection::vec(words(), 1..4).prop_map(|items| format!(
                "<ul>{}</ul>",
                items
                    .iter()
                    .map(|i| format!("<li>{i}</li>"))
                    .collect::<String>()
            )),
            prop::collection::vec(words(), 1..4).prop_map(|cells| format!(
                "<table><tr>{}</tr></table>",
                cells
                    .iter()
                    .map(|c| format!("<td>{c}</td>"))
                    .collect::<String>()
            )),
            words(),
        ],
        0..4,
    )
    .prop_map(|v| v.concat())
}

fn content() -> impl Strategy<Value = DocumentContent> {
    content_with(0)
}

fn content_with(min_sections: usize) -> impl Strategy<Value = DocumentContent> {
    (
        prop::sample::select(DocumentKind::ALL.to_vec()),
        words(),
        prop::option::of("[0-9]{1,3}/[A-ZĐ]{2,4}-[A-Z0-9]{2,6}"),
        prop::collection::vec(words(), 0..3),
        prop::collection::vec(
            (words(), body()).prop_map(|(heading, body_html)| Section { heading, body_html }),
            min_sections..5,
        ),
        prop::collection::vec(words(), 0..3),
    )
        .prop_map(
            |(kind, title, number, bases, sections, recipients)| DocumentContent {
                kind,
                title,
                number,
                place: None,
                date: None,
                bases,
                sections,
                recipients,
            },
        )
}

/// A content and an edited copy of it: some lines rewritten, removed, inserted or moved.
fn content_pair() -> impl Strategy<Value = (DocumentContent, DocumentContent)> {
    (
        content(),
        content(),
        prop::collection::vec(any::<bool>(), 0..5),
    )
        .prop_map(|(a, other, picks)| {
            let mut b = a.clone();
            // Take some sections from the other content, keep the rest.
            for (i, pick) in picks.iter().enumerate() {
                if *pick {
                    if let Some(s) = other.sections.get(i) {
                        if i < b.sections.len() {
                            b.sections[i] = s.clone();
                        } else {
                            b.sections.push(s.clone());
                        }
                    } else if i < b.sections.len() {
                        b.sections.remove(i);
                    }
                }
            }
            if picks.first() == Some(&true) {
                b.title = other.title;
            }
            (a, b)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn sanitize_is_idempotent_and_safe(input in html()) {
        let out = sanitize_html(&input);
        prop_assert_eq!(sanitize_html(&out), out.clone());
        let lower = out.to_lowercase();
        prop_assert!(!lower.contains("<script"), "{}", out);
        prop_assert!(!lower.contains("javascript:"), "{}", out);
        prop_assert!(only_bare_allowed_tags(&out), "{}", out);
        // No attribute at all, so certainly no event handler such as ` onclick=`.
        for tag in out.split('<').skip(1) {
            let tag = tag.split('>').next().unwrap_or_default().to_lowercase();
            prop_assert!(!tag.contains(" on") && !tag.contains('='), "{}", out);
        }
    }

    #[test]
    fn content_hash_is_deterministic(c in content()) {
        prop_assert_eq!(content_hash(&c), content_hash(&c.clone()));
        prop_assert_eq!(canonical_bytes(&c), canonical_bytes(&c.clone()));
        let back: DocumentContent = serde_json::from_slice(&canonical_bytes(&c))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, c);
    }

    #[test]
    fn content_hash_changes_when_any_section_text_changes(
        c in content_with(1),
        index in any::<prop::sample::Index>(),
        in_body in any::<bool>(),
        replacement in "\\PC{0,12}",
    ) {
        let i = index.index(c.sections.len());
        let mut changed = c.clone();
        let target = if in_body {
            &mut changed.sections[i].body_html
        } else {
            &mut changed.sections[i].heading
        };
        prop_assume!(*target != replacement);
        *target = replacement;
        prop_assert_ne!(content_hash(&c), content_hash(&changed));
    }

    #[test]
    fn validate_is_idempotent(c in content()) {
        if let Ok(v) = validate(&c) {
            prop_assert_eq!(validate(&v), Ok(v.clone()));
        }
    }

    #[test]
    fn diff_of_a_document_with_itself_has_no_changes(c in content()) {
        prop_assert!(diff(&c, &c).iter().all(|l| matches!(l, DiffLine::Same(_))));
    }

    #[test]
    fn diff_reproduces_both_versions((old, new) in content_pair()) {
        let d = diff(&old, &new);
        let rebuilt_new: Vec<&str> = d
            .iter()
            .filter_map(|l| match l {
                DiffLine::Same(s) | DiffLine::Added(s) => Some(s.as_str()),
                DiffLine::Removed(_) => None,
            })
            .collect();
        let new_text = plain_text(&new);
        prop_assert_eq!(rebuilt_new, new_text.lines().collect::<Vec<_>>());
        let rebuilt_old: Vec<&str> = d
            .iter()
            .filter_map(|l| match l {
                DiffLine::Same(s) | DiffLine::Removed(s) => Some(s.as_str()),
                DiffLine::Added(_) => None,
            })
            .collect();
        let old_text = plain_text(&old);
        prop_assert_eq!(rebuilt_old, old_text.lines().collect::<Vec<_>>());
    }
}
