//! Translations: Fluent files under `locales/`, Vietnamese first. One `t` for templates,
//! errors and documents.

use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "vi",
        customise: |b| b.set_use_isolating(false),
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Lang {
        if s.trim().to_ascii_lowercase().starts_with("en") {
            Lang::En
        } else {
            Lang::Vi
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }
    pub fn other(self) -> Lang {
        match self {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        }
    }
    fn id(self) -> LanguageIdentifier {
        match self {
            Lang::Vi => VI.clone(),
            Lang::En => EN.clone(),
        }
    }
}

static VI: std::sync::LazyLock<LanguageIdentifier> =
    std::sync::LazyLock::new(|| "vi".parse().unwrap_or_default());
static EN: std::sync::LazyLock<LanguageIdentifier> =
    std::sync::LazyLock::new(|| "en".parse().unwrap_or_default());

/// Translate `key`; an unknown key comes back as itself so a gap is visible, not fatal.
pub fn t(lang: Lang, key: &str) -> String {
    LOCALES
        .try_lookup(&lang.id(), key)
        .unwrap_or_else(|| key.to_owned())
}

pub fn t_args(lang: Lang, key: &str, args: &[(&str, String)]) -> String {
    let map: HashMap<std::borrow::Cow<'static, str>, FluentValue<'_>> = args
        .iter()
        .map(|(k, v)| {
            (
                std::borrow::Cow::Owned((*k).to_owned()),
                FluentValue::from(v.clone()),
            )
        })
        .collect();
    LOCALES
        .try_lookup_with_args(&lang.id(), key, &map)
        .unwrap_or_else(|| key.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys() {
        let vi = include_str!("../locales/vi/main.ftl");
        let en = include_str!("../locales/en/main.ftl");
        let keys = |s: &str| -> Vec<String> {
            let mut k: Vec<String> = s
                .lines()
                .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim().to_owned()))
                .collect();
            k.sort();
            k
        };
        assert_eq!(keys(vi), keys(en));
    }

    #[test]
    fn translates() {
        assert_eq!(t(Lang::Vi, "nav-units"), "Đơn vị");
        assert_eq!(t(Lang::En, "nav-units"), "Units");
        assert_eq!(
            t_args(Lang::Vi, "units-count", &[("total", "5".into())]),
            "5 đơn vị"
        );
    }
}
