use proptest::prelude::*;
use thidua_domain::text::{fold, sort_key, vi_cmp};

proptest! {
    #[test]
    fn sort_key_is_a_total_order_consistent_with_equality_of_keys(a in "\\PC{0,20}", b in "\\PC{0,20}") {
        let ab = vi_cmp(&a, &b);
        prop_assert_eq!(ab, vi_cmp(&b, &a).reverse());
    }

    #[test]
    fn sort_key_is_ascii(a in "\\PC{0,30}") {
        prop_assert!(sort_key(&a).bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase()));
    }

    #[test]
    fn fold_is_idempotent(a in "\\PC{0,30}") {
        let f = fold(&a);
        prop_assert_eq!(fold(&f), f.clone());
    }

    #[test]
    fn folded_text_has_no_vietnamese_marks(a in "[a-zA-Zàáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ ĐÀÁ]{0,30}") {
        prop_assert!(fold(&a).is_ascii());
    }

    #[test]
    fn case_does_not_change_order(a in "[a-zàáăâđêôơư ]{0,12}", b in "[a-zàáăâđêôơư ]{0,12}") {
        prop_assert_eq!(vi_cmp(&a, &b), vi_cmp(&a.to_uppercase(), &b.to_uppercase()));
    }
}
