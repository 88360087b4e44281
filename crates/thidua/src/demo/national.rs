//! A synthetic country for tests at scale: `thidua demo generate --scale national` fills a
//! database with every public sector's units (≈ 96,000: sectors → central departments and
//! provincial agencies → their divisions, district agencies and commune-level units), ≈ 3.1
//! million people, ten emulation years (2016–2025) of councils, groups, registrations,
//! scores and ≈ 5 million award records. `--scale small` is the same country at ≈ 1/100.
//!
//! Everything is deterministic from the seed: ids are UUIDs built from (seed, table, row
//! number), timestamps are fixed dates, names and titles come from a seeded generator. Two
//! runs with one seed write the same rows; another seed writes other rows.
//!
//! Rows go in as multi-row INSERTs with bound parameters (at most [`MAX_PARAMS`] per
//! statement on PostgreSQL, SQLite's limit; fewer on SQLite, see [`SQLITE_STMT_PARAMS`]),
//! [`TX_ROWS`] rows per transaction. Each transaction is opened
//! with `Store::begin` and records one audit event naming the table, the batch, its row
//! count, first and last id and a SHA-256 of its values, so the audit chain stays whole and
//! says what was generated.

use std::io::IsTerminal;
use std::time::Instant;

use anyhow::{anyhow, bail, Result};
use sha2::{Digest, Sha256};
use sqlx::Row;
use thidua_domain::scoring::Input;
use thidua_domain::text;
use thidua_store::{AuditCtx, Store};

/// SQLite's limit on bound parameters in one statement (PostgreSQL allows 65,535).
pub const MAX_PARAMS: usize = 32_766;
/// Parameters per statement on SQLite: far below its limit, because binding `$N` looks the
/// name up in a list (sqlite3VListNumToName), so a statement's binding time grows with the
/// square of its parameter count — 13,000 parameters made writing fifty times slower.
const SQLITE_STMT_PARAMS: usize = 999;
/// Rows in one multi-row INSERT at most (fewer when the row is wide).
const ROWS_PER_STMT: usize = 1_000;
/// Rows per transaction, and so per audit event.
pub const TX_ROWS: usize = 50_000;
pub const FIRST_YEAR: i64 = 2016;
pub const LAST_YEAR: i64 = 2025;
const YEARS: usize = (LAST_YEAR - FIRST_YEAR + 1) as usize;
/// The app_meta key that marks a generated database (its value: seed, scale, counts).
pub const META_KEY: &str = "national";
const BY: &str = "generator";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// ≈ 1/100 of the country (tests): 4 sectors × 6 provinces.
    Small,
    /// The whole country: 40 sectors × 63 provinces.
    National,
}

impl Scale {
    fn shape(self) -> Shape {
        match self {
            Scale::Small => Shape {
                sectors: 4,
                provinces: 6,
            },
            Scale::National => Shape {
                sectors: SECTORS.len(),
                provinces: PROVINCES.len(),
            },
        }
    }
}

struct Shape {
    sectors: usize,
    provinces: usize,
}
/// Central departments of a sector, divisions of a provincial agency, districts of a
/// province, commune-level units of a district.
const DEPARTMENTS: usize = 8;
const DIVISIONS: usize = 4;
const DISTRICTS: usize = 11;
const COMMUNES: usize = 2;

/// A small deterministic generator (splitmix64): the same seed gives the same stream on
/// every machine, so generated data and benchmark samples are comparable between runs.
pub struct Rng(pub u64);
impl Rng {
    /// A stream of its own for one (seed, table, item) triple.
    pub fn stream(seed: u64, tag: u64, item: u64) -> Rng {
        Rng(mix(
            mix(seed ^ tag.wrapping_mul(0xA24B_AED4_963E_E407)) ^ item
        ))
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

// Table tags: each table's ids and random streams are separate.
const T_UNIT: u64 = 1;
const T_PERSON: u64 = 2;
const T_COUNCIL: u64 = 3;
const T_YEAR: u64 = 4;
const T_SCHEME: u64 = 5;
const T_GROUP: u64 = 6;
const T_REG: u64 = 7;
const T_ASSESS: u64 = 8;
const T_AWARD: u64 = 9;
const T_NAME: u64 = 10;
const T_PLACE: u64 = 11;

/// A row id: a UUID (version 8, "custom") made of a hash of (seed, table) and the row
/// number, so ids of one table sort in the order the rows were generated.
pub fn row_id(seed: u64, tag: u64, n: u64) -> String {
    let hi = mix(mix(seed) ^ tag.wrapping_mul(0xD6E8_FEB8_6659_FD93));
    let b = ((u128::from(hi) << 64) | u128::from(n)).to_be_bytes();
    uuid::Builder::from_custom_bytes(b).into_uuid().to_string()
}

/// The id of the `n`-th generated person (0-based), for benchmarks that sample people.
pub fn person_id(seed: u64, n: u64) -> String {
    row_id(seed, T_PERSON, n)
}

/// Individual titles of the award records with their chance per person and year, in
/// ten-thousandths (14% of people-years: ≈ 4.3 million records at national scale).
pub const INDIVIDUAL_TITLES: [(&str, u64); 5] = [
    ("advanced_worker", 1100),
    ("grassroots_fighter", 180),
    ("commendation", 60),
    ("sector_certificate", 40),
    ("sector_fighter", 20),
];
/// Collective titles.
pub const COLLECTIVE_TITLES: [&str; 4] = [
    "advanced_labour_collective",
    "excellent_labour_collective",
    "sector_flag",
    "commendation",
];

// ---- names --------------------------------------------------------------------------------

/// (the sector's central body, its provincial agency, its district agency, its
/// commune-level unit).
const SECTORS: [(&str, &str, &str, &str); 40] = [
    (
        "Viện kiểm sát nhân dân tối cao",
        "Viện kiểm sát nhân dân",
        "Viện kiểm sát nhân dân",
        "Viện kiểm sát nhân dân khu vực",
    ),
    (
        "Tòa án nhân dân tối cao",
        "Tòa án nhân dân",
        "Tòa án nhân dân",
        "Tòa án nhân dân khu vực",
    ),
    ("Bộ Tư pháp", "Sở Tư pháp", "Phòng Tư pháp", "Ban Tư pháp"),
    ("Bộ Y tế", "Sở Y tế", "Trung tâm Y tế", "Trạm Y tế"),
    (
        "Bộ Giáo dục và Đào tạo",
        "Sở Giáo dục và Đào tạo",
        "Phòng Giáo dục và Đào tạo",
        "Trường Trung học cơ sở",
    ),
    (
        "Bộ Tài chính",
        "Sở Tài chính",
        "Phòng Tài chính – Kế hoạch",
        "Ban Tài chính",
    ),
    (
        "Tổng cục Thuế",
        "Cục Thuế",
        "Chi cục Thuế",
        "Đội Thuế liên xã",
    ),
    (
        "Kho bạc Nhà nước",
        "Kho bạc Nhà nước",
        "Kho bạc Nhà nước",
        "Điểm giao dịch Kho bạc Nhà nước",
    ),
    (
        "Tổng cục Hải quan",
        "Cục Hải quan",
        "Chi cục Hải quan",
        "Đội Kiểm soát Hải quan",
    ),
    (
        "Bảo hiểm xã hội Việt Nam",
        "Bảo hiểm xã hội",
        "Bảo hiểm xã hội",
        "Điểm thu Bảo hiểm xã hội",
    ),
    (
        "Bộ Nông nghiệp và Phát triển nông thôn",
        "Sở Nông nghiệp và Phát triển nông thôn",
        "Phòng Nông nghiệp và Phát triển nông thôn",
        "Trạm Khuyến nông",
    ),
    (
        "Bộ Tài nguyên và Môi trường",
        "Sở Tài nguyên và Môi trường",
        "Phòng Tài nguyên và Môi trường",
        "Tổ Địa chính",
    ),
    (
        "Bộ Lao động – Thương binh và Xã hội",
        "Sở Lao động – Thương binh và Xã hội",
        "Phòng Lao động – Thương binh và Xã hội",
        "Trung tâm Bảo trợ xã hội",
    ),
    (
        "Bộ Văn hóa, Thể thao và Du lịch",
        "Sở Văn hóa, Thể thao và Du lịch",
        "Phòng Văn hóa và Thông tin",
        "Trung tâm Văn hóa – Thể thao",
    ),
    (
        "Bộ Xây dựng",
        "Sở Xây dựng",
        "Phòng Quản lý đô thị",
        "Đội Quản lý trật tự xây dựng",
    ),
    (
        "Bộ Giao thông vận tải",
        "Sở Giao thông vận tải",
        "Phòng Kinh tế – Hạ tầng",
        "Hạt Quản lý đường bộ",
    ),
    (
        "Bộ Công Thương",
        "Sở Công Thương",
        "Phòng Kinh tế",
        "Tổ Khuyến công",
    ),
    (
        "Bộ Kế hoạch và Đầu tư",
        "Sở Kế hoạch và Đầu tư",
        "Phòng Tài chính – Kế hoạch",
        "Tổ Kế hoạch",
    ),
    (
        "Tổng cục Thống kê",
        "Cục Thống kê",
        "Chi cục Thống kê",
        "Tổ Thống kê khu vực",
    ),
    (
        "Bộ Nội vụ",
        "Sở Nội vụ",
        "Phòng Nội vụ",
        "Tổ Văn thư – Lưu trữ",
    ),
    (
        "Thanh tra Chính phủ",
        "Thanh tra",
        "Thanh tra",
        "Tổ Tiếp công dân",
    ),
    (
        "Bộ Thông tin và Truyền thông",
        "Sở Thông tin và Truyền thông",
        "Phòng Văn hóa – Thông tin",
        "Đài Truyền thanh",
    ),
    (
        "Bộ Khoa học và Công nghệ",
        "Sở Khoa học và Công nghệ",
        "Phòng Kinh tế – Khoa học",
        "Trạm Đo lường",
    ),
    (
        "Tổng cục Thi hành án dân sự",
        "Cục Thi hành án dân sự",
        "Chi cục Thi hành án dân sự",
        "Tổ Thi hành án",
    ),
    (
        "Ngân hàng Nhà nước Việt Nam",
        "Ngân hàng Nhà nước chi nhánh",
        "Phòng Giao dịch",
        "Điểm Giao dịch",
    ),
    (
        "Ngân hàng Chính sách xã hội",
        "Chi nhánh Ngân hàng Chính sách xã hội",
        "Phòng Giao dịch Ngân hàng Chính sách xã hội",
        "Điểm Giao dịch xã",
    ),
    (
        "Ủy ban Dân tộc",
        "Ban Dân tộc",
        "Phòng Dân tộc",
        "Tổ Công tác dân tộc",
    ),
    (
        "Trung ương Đoàn Thanh niên Cộng sản Hồ Chí Minh",
        "Tỉnh đoàn",
        "Huyện đoàn",
        "Đoàn Thanh niên",
    ),
    (
        "Hội Liên hiệp Phụ nữ Việt Nam",
        "Hội Liên hiệp Phụ nữ",
        "Hội Liên hiệp Phụ nữ",
        "Chi hội Phụ nữ",
    ),
    (
        "Hội Nông dân Việt Nam",
        "Hội Nông dân",
        "Hội Nông dân",
        "Chi hội Nông dân",
    ),
    (
        "Hội Cựu chiến binh Việt Nam",
        "Hội Cựu chiến binh",
        "Hội Cựu chiến binh",
        "Chi hội Cựu chiến binh",
    ),
    (
        "Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam",
        "Ủy ban Mặt trận Tổ quốc",
        "Ủy ban Mặt trận Tổ quốc",
        "Ban Công tác Mặt trận",
    ),
    (
        "Tổng Liên đoàn Lao động Việt Nam",
        "Liên đoàn Lao động",
        "Liên đoàn Lao động",
        "Công đoàn cơ sở",
    ),
    (
        "Đài Tiếng nói Việt Nam",
        "Đài Phát thanh và Truyền hình",
        "Trung tâm Truyền thông",
        "Đài Truyền thanh xã",
    ),
    (
        "Tổng cục Quản lý thị trường",
        "Cục Quản lý thị trường",
        "Đội Quản lý thị trường",
        "Tổ Kiểm tra thị trường",
    ),
    (
        "Cục Kiểm lâm",
        "Chi cục Kiểm lâm",
        "Hạt Kiểm lâm",
        "Trạm Kiểm lâm",
    ),
    (
        "Tổng cục Dân số – Kế hoạch hóa gia đình",
        "Chi cục Dân số – Kế hoạch hóa gia đình",
        "Trung tâm Dân số – Kế hoạch hóa gia đình",
        "Ban Dân số",
    ),
    (
        "Tổng cục Thủy lợi",
        "Chi cục Thủy lợi",
        "Trạm Thủy nông",
        "Cụm Thủy nông",
    ),
    (
        "Ban Tôn giáo Chính phủ",
        "Ban Tôn giáo",
        "Phòng Nội vụ – Tôn giáo",
        "Tổ Công tác tôn giáo",
    ),
    (
        "Hội Chữ thập đỏ Việt Nam",
        "Hội Chữ thập đỏ",
        "Hội Chữ thập đỏ",
        "Chi hội Chữ thập đỏ",
    ),
];

/// The 63 provinces and centrally-governed cities of 2016–2025 (the first five are cities).
const PROVINCES: [&str; 63] = [
    "Hà Nội",
    "Hồ Chí Minh",
    "Hải Phòng",
    "Đà Nẵng",
    "Cần Thơ",
    "An Giang",
    "Bà Rịa – Vũng Tàu",
    "Bắc Giang",
    "Bắc Kạn",
    "Bạc Liêu",
    "Bắc Ninh",
    "Bến Tre",
    "Bình Định",
    "Bình Dương",
    "Bình Phước",
    "Bình Thuận",
    "Cà Mau",
    "Cao Bằng",
    "Đắk Lắk",
    "Đắk Nông",
    "Điện Biên",
    "Đồng Nai",
    "Đồng Tháp",
    "Gia Lai",
    "Hà Giang",
    "Hà Nam",
    "Hà Tĩnh",
    "Hải Dương",
    "Hậu Giang",
    "Hòa Bình",
    "Hưng Yên",
    "Khánh Hòa",
    "Kiên Giang",
    "Kon Tum",
    "Lai Châu",
    "Lâm Đồng",
    "Lạng Sơn",
    "Lào Cai",
    "Long An",
    "Nam Định",
    "Nghệ An",
    "Ninh Bình",
    "Ninh Thuận",
    "Phú Thọ",
    "Phú Yên",
    "Quảng Bình",
    "Quảng Nam",
    "Quảng Ngãi",
    "Quảng Ninh",
    "Quảng Trị",
    "Sóc Trăng",
    "Sơn La",
    "Tây Ninh",
    "Thái Bình",
    "Thái Nguyên",
    "Thanh Hóa",
    "Thừa Thiên Huế",
    "Tiền Giang",
    "Trà Vinh",
    "Tuyên Quang",
    "Vĩnh Long",
    "Vĩnh Phúc",
    "Yên Bái",
];
const CITIES: usize = 5;

const CENTRAL_DEPARTMENTS: [&str; DEPARTMENTS] = [
    "Văn phòng",
    "Vụ Tổ chức cán bộ",
    "Vụ Kế hoạch – Tài chính",
    "Vụ Pháp chế",
    "Thanh tra",
    "Vụ Hợp tác quốc tế",
    "Vụ Thi đua – Khen thưởng",
    "Trung tâm Thông tin",
];
const PROVINCIAL_DIVISIONS: [&str; DIVISIONS] = [
    "Văn phòng",
    "Phòng Tổ chức cán bộ",
    "Phòng Kế hoạch – Tài chính",
    "Phòng Nghiệp vụ",
];
const PLACE_A: [&str; 20] = [
    "Tân", "Phú", "An", "Bình", "Long", "Hòa", "Vĩnh", "Thạnh", "Đông", "Tây", "Nam", "Bắc", "Mỹ",
    "Hưng", "Thuận", "Châu", "Cẩm", "Gia", "Kim", "Hải",
];
const PLACE_B: [&str; 20] = [
    "Thành", "Phú", "Lợi", "Hòa", "Yên", "Sơn", "Lâm", "Điền", "Lộc", "Thuận", "Bình", "Xuân",
    "Hưng", "Khánh", "Trung", "Phước", "Định", "Mỹ", "Đức", "An",
];
const SURNAMES: [&str; 16] = [
    "Nguyễn", "Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Trần", "Lê", "Lê", "Phạm", "Hoàng", "Huỳnh",
    "Phan", "Vũ", "Võ", "Đặng", "Bùi",
];
const MALE_MIDDLE: [&str; 8] = ["Văn", "Hữu", "Đức", "Minh", "Thanh", "Quốc", "Xuân", "Gia"];
const FEMALE_MIDDLE: [&str; 8] = ["Thị", "Thị", "Ngọc", "Thu", "Thanh", "Kim", "Minh", "Hồng"];
const MALE_GIVEN: [&str; 20] = [
    "An", "Bảo", "Bình", "Cường", "Dũng", "Hải", "Hiếu", "Hùng", "Huy", "Khánh", "Long", "Minh",
    "Nam", "Phong", "Quang", "Sơn", "Thắng", "Trung", "Tuấn", "Tùng",
];
const FEMALE_GIVEN: [&str; 20] = [
    "Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Lan", "Linh", "Mai",
    "Nga", "Ngọc", "Nhung", "Phương", "Tâm", "Thảo", "Trang", "Yến",
];
const POSITIONS: [&str; 8] = [
    "Chuyên viên",
    "Chuyên viên",
    "Chuyên viên chính",
    "Cán bộ",
    "Nhân viên",
    "Kế toán",
    "Văn thư",
    "Phó Trưởng phòng",
];

fn place(rng: &mut Rng) -> String {
    format!("{} {}", rng.pick(&PLACE_A), rng.pick(&PLACE_B))
}

// ---- the plan: units, councils, groups ------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Supreme,
    Department,
    Provincial,
    Division,
    District,
    Regional,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Supreme => "supreme",
            Kind::Department => "department",
            Kind::Provincial => "provincial",
            Kind::Division => "division",
            Kind::District => "district",
            Kind::Regional => "regional",
        }
    }
    /// Typical head count of a unit of this kind.
    fn staff(self) -> u64 {
        match self {
            Kind::Supreme => 200,
            Kind::Department => 60,
            Kind::Provincial => 60,
            Kind::Division => 15,
            Kind::District => 40,
            Kind::Regional => 30,
        }
    }
}

struct Unit {
    code: String,
    kind: Kind,
    name: String,
    parent: Option<u32>,
    /// The sector's root unit.
    root: u32,
    first_person: u64,
    people: u64,
    /// The council whose groups the unit belongs to (none for a sector's root).
    council: Option<u32>,
}

struct Council {
    unit: u32,
    /// A sector's council (its members are provincial agencies and central departments);
    /// otherwise a provincial agency's (its divisions, districts and communes).
    sector: bool,
    /// Members grouped in a block (departments, divisions) and in clusters (the others).
    block: Vec<u32>,
    clustered: Vec<u32>,
}

struct Group {
    council: u32,
    year: usize,
    kind: &'static str,
    number: i64,
    members: Vec<u32>,
}

struct Plan {
    seed: u64,
    units: Vec<Unit>,
    councils: Vec<Council>,
    people: u64,
    groups: Vec<Group>,
    /// [year][unit] → group index (u32::MAX: none).
    group_of: Vec<Vec<u32>>,
}

fn plan(seed: u64, scale: Scale) -> Plan {
    let shape = scale.shape();
    let mut units: Vec<Unit> = Vec::new();
    let mut councils: Vec<Council> = Vec::new();
    // District and commune names are those of the place, the same in every sector.
    let district_name = |p: usize, d: usize| {
        let mut r = Rng::stream(seed, T_PLACE, (p * 100 + d) as u64);
        let kind = if r.below(6) == 0 {
            "thị xã"
        } else {
            "huyện"
        };
        format!("{kind} {}", place(&mut r))
    };
    let commune_name = |p: usize, d: usize, c: usize| {
        let mut r = Rng::stream(seed, T_PLACE, (100_000 + p * 10_000 + d * 100 + c) as u64);
        format!("xã {}", place(&mut r))
    };
    let push = |units: &mut Vec<Unit>,
                code: String,
                kind: Kind,
                name: String,
                parent: Option<u32>,
                root: Option<u32>,
                council: Option<u32>| {
        let i = units.len() as u32;
        units.push(Unit {
            code,
            kind,
            name,
            parent,
            root: root.unwrap_or(i),
            first_person: 0,
            people: 0,
            council,
        });
        i
    };
    for (s, &(central, provincial, district, commune)) in
        SECTORS.iter().enumerate().take(shape.sectors)
    {
        let sc = format!("N{:02}", s + 1);
        let root = push(
            &mut units,
            sc.clone(),
            Kind::Supreme,
            central.to_owned(),
            None,
            None,
            None,
        );
        let sector_council = councils.len() as u32;
        councils.push(Council {
            unit: root,
            sector: true,
            block: Vec::new(),
            clustered: Vec::new(),
        });
        for (d, dep) in CENTRAL_DEPARTMENTS.iter().enumerate() {
            let u = push(
                &mut units,
                format!("{sc}-C{}", d + 1),
                Kind::Department,
                format!("{dep} – {central}"),
                Some(root),
                Some(root),
                Some(sector_council),
            );
            councils[sector_council as usize].block.push(u);
        }
        for (p, prov) in PROVINCES.iter().enumerate().take(shape.provinces) {
            let pc = format!("{sc}-P{:02}", p + 1);
            let of = if p < CITIES { "thành phố" } else { "tỉnh" };
            let pname = format!("{provincial} {of} {prov}");
            let pu = push(
                &mut units,
                pc.clone(),
                Kind::Provincial,
                pname.clone(),
                Some(root),
                Some(root),
                Some(sector_council),
            );
            councils[sector_council as usize].clustered.push(pu);
            let pcouncil = councils.len() as u32;
            councils.push(Council {
                unit: pu,
                sector: false,
                block: Vec::new(),
                clustered: Vec::new(),
            });
            for (v, div) in PROVINCIAL_DIVISIONS.iter().enumerate() {
                let u = push(
                    &mut units,
                    format!("{pc}-V{}", v + 1),
                    Kind::Division,
                    format!("{div} – {pname}"),
                    Some(pu),
                    Some(root),
                    Some(pcouncil),
                );
                councils[pcouncil as usize].block.push(u);
            }
            for d in 0..DISTRICTS {
                let dname = district_name(p, d);
                let du = push(
                    &mut units,
                    format!("{pc}-D{:02}", d + 1),
                    Kind::District,
                    format!("{district} {dname}, {of} {prov}"),
                    Some(pu),
                    Some(root),
                    Some(pcouncil),
                );
                councils[pcouncil as usize].clustered.push(du);
                for c in 0..COMMUNES {
                    let u = push(
                        &mut units,
                        format!("{pc}-D{:02}-X{}", d + 1, c + 1),
                        Kind::Regional,
                        format!("{commune} {}, {dname}", commune_name(p, d, c)),
                        Some(du),
                        Some(root),
                        Some(pcouncil),
                    );
                    councils[pcouncil as usize].clustered.push(u);
                }
            }
        }
    }
    // Head counts: the kind's typical size, ±25%.
    let mut people = 0u64;
    for (i, u) in units.iter_mut().enumerate() {
        let mut r = Rng::stream(seed, T_PERSON, i as u64);
        let base = u.kind.staff();
        u.people = base * 3 / 4 + r.below((base / 2 + 1) as usize) as u64;
        u.first_person = people;
        people += u.people;
    }
    // Groups: a council's block members form blocks, the others clusters of 5–10 units,
    // drawn anew for each five-year period and kept through it.
    let mut groups = Vec::new();
    let mut group_of = vec![vec![u32::MAX; units.len()]; YEARS];
    for (ci, c) in councils.iter().enumerate() {
        for period in 0..YEARS.div_ceil(5) {
            let mut r = Rng::stream(seed, T_GROUP, (ci * 16 + period) as u64);
            let mut sets: Vec<(&'static str, Vec<u32>)> = Vec::new();
            for (kind, pool) in [("block", &c.block), ("cluster", &c.clustered)] {
                let mut pool = pool.clone();
                for i in (1..pool.len()).rev() {
                    pool.swap(i, r.below(i + 1));
                }
                let mut chunks: Vec<Vec<u32>> = Vec::new();
                let mut rest = &pool[..];
                while !rest.is_empty() {
                    let n = (5 + r.below(6)).min(rest.len());
                    let (a, b) = rest.split_at(n);
                    match chunks.last_mut() {
                        Some(last) if a.len() < 5 => last.extend_from_slice(a),
                        _ => chunks.push(a.to_vec()),
                    }
                    rest = b;
                }
                sets.extend(chunks.into_iter().map(|m| (kind, m)));
            }
            // `year` is also the group's year, not only an index.
            #[allow(clippy::needless_range_loop)]
            for year in period * 5..(period * 5 + 5).min(YEARS) {
                let mut numbers = [0i64; 2];
                for (kind, members) in &sets {
                    let k = usize::from(*kind == "cluster");
                    numbers[k] += 1;
                    let gi = groups.len() as u32;
                    for &m in members {
                        group_of[year][m as usize] = gi;
                    }
                    groups.push(Group {
                        council: ci as u32,
                        year,
                        kind,
                        number: numbers[k],
                        members: members.clone(),
                    });
                }
            }
        }
    }
    // Councils in the order their rows are written: by council, then year.
    groups.sort_by_key(|g| (g.council, g.year, g.kind == "cluster", g.number));
    for (gi, g) in groups.iter().enumerate() {
        for &m in &g.members {
            group_of[g.year][m as usize] = gi as u32;
        }
    }
    Plan {
        seed,
        units,
        councils,
        people,
        groups,
        group_of,
    }
}

impl Plan {
    fn unit_id(&self, u: u32) -> String {
        row_id(self.seed, T_UNIT, u64::from(u))
    }
    fn council_id(&self, c: u32) -> String {
        row_id(self.seed, T_COUNCIL, u64::from(c))
    }
    fn year_id(&self, c: u32, year: usize) -> String {
        row_id(self.seed, T_YEAR, u64::from(c) * YEARS as u64 + year as u64)
    }
    fn scheme_id(&self, c: u32, year: usize) -> String {
        row_id(
            self.seed,
            T_SCHEME,
            u64::from(c) * YEARS as u64 + year as u64,
        )
    }
    fn group_id(&self, g: u32) -> String {
        row_id(self.seed, T_GROUP, u64::from(g))
    }
    /// The collective title a unit registers for in a year (excellent or advanced).
    fn registered_title(&self, year: usize, u: u32) -> &'static str {
        let mut r = Rng::stream(self.seed, T_REG, (year * 1_000_000 + u as usize) as u64);
        if r.below(4) == 0 {
            "excellent_labour_collective"
        } else {
            "advanced_labour_collective"
        }
    }
    fn registrations(&self) -> u64 {
        self.group_of
            .iter()
            .map(|y| y.iter().filter(|g| **g != u32::MAX).count() as u64)
            .sum()
    }
    fn assessments(&self) -> u64 {
        self.groups
            .iter()
            .filter(|g| self.councils[g.council as usize].sector && g.kind == "cluster")
            .map(|g| g.members.len() as u64)
            .sum()
    }
}

// ---- writing --------------------------------------------------------------------------------

/// One bound value.
pub enum V {
    T(String),
    I(i64),
    N,
}

impl From<&str> for V {
    fn from(s: &str) -> V {
        V::T(s.to_owned())
    }
}
impl From<String> for V {
    fn from(s: String) -> V {
        V::T(s)
    }
}
impl From<i64> for V {
    fn from(i: i64) -> V {
        V::I(i)
    }
}
impl From<Option<String>> for V {
    fn from(s: Option<String>) -> V {
        s.map_or(V::N, V::T)
    }
}

/// Rows written so far, printed to stderr about once a second on a terminal (every ten
/// seconds otherwise), with the rate.
pub struct Progress {
    enabled: bool,
    tty: bool,
    total: u64,
    done: u64,
    start: Instant,
    last: Instant,
}

impl Progress {
    pub fn new(enabled: bool, total: u64) -> Progress {
        Progress {
            enabled,
            tty: std::io::stderr().is_terminal(),
            total,
            done: 0,
            start: Instant::now(),
            last: Instant::now(),
        }
    }
    fn add(&mut self, n: u64, table: &str) {
        self.done += n;
        let every = if self.tty { 1.0 } else { 10.0 };
        if self.enabled && self.last.elapsed().as_secs_f64() >= every {
            self.last = Instant::now();
            self.print(table, false);
        }
    }
    fn print(&self, table: &str, end: bool) {
        let secs = self.start.elapsed().as_secs_f64().max(1e-3);
        let pct = 100.0 * self.done as f64 / self.total.max(1) as f64;
        let line = format!(
            "{:>11} / ≈{} rows ({pct:>3.0}%), {:.0} rows/s, {:.0} s — {table}",
            self.done,
            self.total,
            self.done as f64 / secs,
            secs
        );
        if self.tty && !end {
            eprint!("\r{line}\x1b[K");
        } else if self.tty {
            eprintln!("\r{line}\x1b[K");
        } else {
            eprintln!("{line}");
        }
    }
    fn finish(&self) {
        if self.enabled {
            self.print("done", true);
        }
    }
}

fn insert_sql(table: &str, cols: &[&str], rows: usize) -> String {
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
    let mut p = 0;
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push('(');
        for c in 0..cols.len() {
            if c > 0 {
                sql.push(',');
            }
            p += 1;
            sql.push('$');
            sql.push_str(&p.to_string());
        }
        sql.push(')');
    }
    sql
}

/// Writes rows in batches through the store's audited transactions.
pub struct Writer<'a> {
    pub store: &'a Store,
    pub ctx: AuditCtx,
    pub progress: Progress,
}

#[derive(serde::Serialize)]
struct BatchAudit<'a> {
    table: &'a str,
    batch: u64,
    rows: u64,
    first_id: &'a str,
    last_id: &'a str,
    sha256: String,
}

impl Writer<'_> {
    /// Insert `rows` (each as many values as `cols`, the first one the row's key) into
    /// `table`; one transaction and one audit event per [`TX_ROWS`] rows. Returns the count.
    pub async fn table(
        &mut self,
        table: &'static str,
        cols: &[&str],
        rows: impl Iterator<Item = Vec<V>>,
    ) -> Result<u64> {
        let params = match self.store.backend {
            thidua_store::Backend::Sqlite => SQLITE_STMT_PARAMS,
            thidua_store::Backend::Postgres => MAX_PARAMS,
        };
        let per = (params / cols.len()).clamp(1, ROWS_PER_STMT);
        let full = insert_sql(table, cols, per);
        let mut rows = rows.peekable();
        let (mut total, mut batch) = (0u64, 0u64);
        while rows.peek().is_some() {
            let mut tx = self.store.begin(&self.ctx).await?;
            let mut h = Sha256::new();
            let (mut n, mut first, mut last) = (0u64, String::new(), String::new());
            while (n as usize) < TX_ROWS {
                let chunk: Vec<Vec<V>> = rows.by_ref().take(per).collect();
                if chunk.is_empty() {
                    break;
                }
                let part;
                let sql = if chunk.len() == per {
                    &full
                } else {
                    part = insert_sql(table, cols, chunk.len());
                    &part
                };
                let len = chunk.len() as u64;
                let mut q = sqlx::query(sql);
                for row in chunk {
                    if row.len() != cols.len() {
                        bail!(
                            "{table}: a row of {} values for {} columns",
                            row.len(),
                            cols.len()
                        );
                    }
                    for (i, v) in row.into_iter().enumerate() {
                        if let (0, V::T(k)) = (i, &v) {
                            if first.is_empty() {
                                first = k.clone();
                            }
                            last.clone_from(k);
                        }
                        match v {
                            V::T(s) => {
                                h.update(s.as_bytes());
                                h.update([0x1f]);
                                q = q.bind(s);
                            }
                            V::I(x) => {
                                h.update(x.to_string().as_bytes());
                                h.update([0x1f]);
                                q = q.bind(x);
                            }
                            V::N => {
                                h.update([0x1e]);
                                q = q.bind(None::<String>);
                            }
                        }
                    }
                    h.update([b'\n']);
                }
                q.execute(tx.conn()).await?;
                n += len;
                self.progress.add(len, table);
            }
            let digest: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
            tx.audit::<(), _>(
                "generate",
                table,
                &format!("{table}#{batch}"),
                None,
                Some(&BatchAudit {
                    table,
                    batch,
                    rows: n,
                    first_id: &first,
                    last_id: &last,
                    sha256: digest,
                }),
            );
            tx.commit().await?;
            total += n;
            batch += 1;
        }
        Ok(total)
    }
}

// ---- generation -----------------------------------------------------------------------------

/// What was generated.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Counts {
    pub units: u64,
    pub people: u64,
    pub councils: u64,
    pub years: u64,
    pub schemes: u64,
    pub groups: u64,
    pub group_members: u64,
    pub registrations: u64,
    pub assessments: u64,
    pub awards: u64,
}

impl Counts {
    pub fn rows(&self) -> u64 {
        self.units
            + self.people
            + self.councils
            + self.years
            + 2 * self.schemes
            + self.groups
            + self.group_members
            + self.registrations
            + self.assessments
            + self.awards
    }
}

/// The marker a generated database carries in app_meta.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Generated {
    pub seed: u64,
    pub scale: String,
    pub counts: Counts,
}

/// The generation marker of this database, if it holds generated data.
pub async fn generated(store: &Store) -> Result<Option<Generated>> {
    Ok(match store.meta(META_KEY).await? {
        Some(v) => Some(serde_json::from_str(&v)?),
        None => None,
    })
}

fn at(year: i64, md: &str) -> String {
    format!("{year}-{md}T02:00:00.000000Z")
}

/// Fill the database with the synthetic country of `scale` from `seed`. Refuses a database
/// that already holds generated data (complete or interrupted): generate into a fresh one.
pub async fn generate(store: &Store, scale: Scale, seed: u64, progress: bool) -> Result<Counts> {
    if let Some(g) = generated(store).await? {
        bail!(
            "this database already holds generated data (scale {}, seed {}); generate into a fresh database",
            g.scale,
            g.seed
        );
    }
    if store.unit_by_code("N01").await?.is_some() {
        bail!("this database holds units of an interrupted generation (code N01); generate into a fresh database");
    }
    let scale_name = match scale {
        Scale::Small => "small",
        Scale::National => "national",
    };
    let p = plan(seed, scale);
    let years = p.councils.len() as u64 * YEARS as u64;
    let sector_councils = p.councils.iter().filter(|c| c.sector).count() as u64;
    let persons_years = p.people * YEARS as u64;
    let estimate = p.units.len() as u64
        + p.people
        + p.councils.len() as u64
        + years
        + 2 * sector_councils * YEARS as u64
        + p.groups.len() as u64
        + 2 * p.registrations()
        + p.assessments()
        + persons_years * INDIVIDUAL_TITLES.iter().map(|t| t.1).sum::<u64>() / 10_000
        + p.registrations() * 8 / 10;
    if progress {
        eprintln!(
            "generating the {scale_name} country (seed {seed}): {} units, {} people, {} councils, {} groups, {YEARS} years; ≈{estimate} rows",
            p.units.len(),
            p.people,
            p.councils.len(),
            p.groups.len()
        );
    }
    let mut w = Writer {
        store,
        ctx: AuditCtx {
            actor: Some(BY.into()),
            address: None,
        },
        progress: Progress::new(progress, estimate),
    };
    let mut c = Counts::default();
    let created = at(FIRST_YEAR - 1, "12-01");

    // Units, parents before children.
    c.units = w
        .table(
            "units",
            &[
                "id",
                "code",
                "kind",
                "name",
                "short_name",
                "parent_id",
                "valid_from",
                "valid_to",
                "search_key",
                "sort_key",
                "version",
                "created_at",
                "updated_at",
            ],
            p.units.iter().enumerate().map(|(i, u)| {
                vec![
                    p.unit_id(i as u32).into(),
                    u.code.as_str().into(),
                    u.kind.as_str().into(),
                    u.name.as_str().into(),
                    V::N,
                    u.parent.map(|x| p.unit_id(x)).into(),
                    V::N,
                    V::N,
                    format!("{} | {}", text::fold(&u.name), u.code.to_lowercase()).into(),
                    text::sort_key(&u.name).into(),
                    1.into(),
                    created.as_str().into(),
                    created.as_str().into(),
                ]
            }),
        )
        .await?;

    // People: the unit's head and deputy first, then its staff.
    let person_rows = p.units.iter().enumerate().flat_map(|(ui, u)| {
        let unit_id = p.unit_id(ui as u32);
        let created = &created;
        (0..u.people).map(move |j| {
            let n = u.first_person + j;
            let mut r = Rng::stream(seed, T_NAME, n);
            let female = r.below(2) == 0;
            let name = format!(
                "{} {} {}",
                r.pick(&SURNAMES),
                if female {
                    r.pick(&FEMALE_MIDDLE)
                } else {
                    r.pick(&MALE_MIDDLE)
                },
                if female {
                    r.pick(&FEMALE_GIVEN)
                } else {
                    r.pick(&MALE_GIVEN)
                }
            );
            let position = match j {
                0 => "Thủ trưởng đơn vị",
                1 | 2 => "Phó Thủ trưởng đơn vị",
                _ => r.pick(&POSITIONS),
            };
            vec![
                person_id(seed, n).into(),
                name.as_str().into(),
                position.into(),
                unit_id.as_str().into(),
                V::N,
                V::N,
                format!("{} | {}", text::fold(&name), text::fold(position)).into(),
                text::sort_key(&name).into(),
                1.into(),
                created.as_str().into(),
                created.as_str().into(),
            ]
        })
    });
    c.people = w
        .table(
            "people",
            &[
                "id",
                "full_name",
                "position",
                "unit_id",
                "valid_from",
                "valid_to",
                "search_key",
                "sort_key",
                "version",
                "created_at",
                "updated_at",
            ],
            person_rows,
        )
        .await?;

    c.councils = w
        .table(
            "councils",
            &["id", "unit_id", "name", "created_at"],
            p.councils.iter().enumerate().map(|(ci, k)| {
                vec![
                    p.council_id(ci as u32).into(),
                    p.unit_id(k.unit).into(),
                    format!(
                        "Hội đồng Thi đua – Khen thưởng {}",
                        p.units[k.unit as usize].name
                    )
                    .into(),
                    created.as_str().into(),
                ]
            }),
        )
        .await?;

    c.years = w
        .table(
            "emulation_years",
            &[
                "id",
                "council_id",
                "year",
                "theme",
                "motto",
                "registration_deadline",
                "self_assessment_deadline",
                "review_deadline",
                "version",
                "created_at",
            ],
            (0..p.councils.len() as u32).flat_map(|ci| {
                let p = &p;
                (0..YEARS).map(move |y| {
                    let year = FIRST_YEAR + y as i64;
                    vec![
                        p.year_id(ci, y).into(),
                        p.council_id(ci).into(),
                        year.into(),
                        format!("Thi đua hoàn thành xuất sắc nhiệm vụ năm {year}").into(),
                        "Đoàn kết, kỷ cương, trách nhiệm, đổi mới, hiệu quả".into(),
                        format!("{year}-03-31").into(),
                        format!("{year}-11-30").into(),
                        format!("{year}-12-15").into(),
                        1.into(),
                        at(year, "01-05").into(),
                    ]
                })
            }),
        )
        .await?;

    // The demo's criteria scheme, for the provincial agencies of every sector council's year.
    let scheme: thidua_domain::scoring::Scheme = serde_json::from_str(super::scoring::SCHEME)?;
    let compiled = thidua_domain::scoring::Compiled::new(scheme).map_err(|e| anyhow!("{e:?}"))?;
    let scheme_json = serde_json::to_string(&compiled.scheme)?;
    let sector_years = || {
        p.councils
            .iter()
            .enumerate()
            .filter(|(_, k)| k.sector)
            .flat_map(|(ci, _)| (0..YEARS).map(move |y| (ci as u32, y)))
    };
    c.schemes = w
        .table(
            "scoring_schemes",
            &[
                "id",
                "year_id",
                "unit_kind",
                "status",
                "version",
                "copied_from",
                "created_at",
                "updated_at",
            ],
            sector_years().map(|(ci, y)| {
                let year = FIRST_YEAR + y as i64;
                vec![
                    p.scheme_id(ci, y).into(),
                    p.year_id(ci, y).into(),
                    "provincial".into(),
                    if year == LAST_YEAR {
                        "open"
                    } else {
                        "published"
                    }
                    .into(),
                    1.into(),
                    V::N,
                    at(year, "01-15").into(),
                    at(year, "01-15").into(),
                ]
            }),
        )
        .await?;
    w.table(
        "scheme_versions",
        &[
            "scheme_id",
            "version",
            "content_json",
            "saved_by",
            "saved_at",
        ],
        sector_years().map(|(ci, y)| {
            vec![
                p.scheme_id(ci, y).into(),
                1.into(),
                scheme_json.as_str().into(),
                BY.into(),
                at(FIRST_YEAR + y as i64, "01-15").into(),
            ]
        }),
    )
    .await?;

    c.groups = w
        .table(
            "emulation_groups",
            &[
                "id",
                "year_id",
                "kind",
                "number",
                "name",
                "head_unit_id",
                "deputy_unit_id",
                "status",
                "version",
                "created_at",
            ],
            p.groups.iter().enumerate().map(|(gi, g)| {
                let year = FIRST_YEAR + g.year as i64;
                let word = if g.kind == "block" { "Khối" } else { "Cụm" };
                vec![
                    p.group_id(gi as u32).into(),
                    p.year_id(g.council, g.year).into(),
                    g.kind.into(),
                    g.number.into(),
                    format!("{word} thi đua số {}", g.number).into(),
                    p.unit_id(g.members[(g.year) % g.members.len()]).into(),
                    p.unit_id(g.members[(g.year + 1) % g.members.len()]).into(),
                    if year == LAST_YEAR {
                        "active"
                    } else {
                        "archived"
                    }
                    .into(),
                    1.into(),
                    at(year, "02-01").into(),
                ]
            }),
        )
        .await?;
    c.group_members = w
        .table(
            "group_members",
            &["group_id", "year_id", "unit_id"],
            p.groups.iter().enumerate().flat_map(|(gi, g)| {
                let (gid, yid) = (p.group_id(gi as u32), p.year_id(g.council, g.year));
                let p = &p;
                g.members.iter().map(move |&m| {
                    vec![
                        gid.as_str().into(),
                        yid.as_str().into(),
                        p.unit_id(m).into(),
                    ]
                })
            }),
        )
        .await?;

    // Every group member registers for a collective title each year.
    let reg_n = std::cell::Cell::new(0u64);
    c.registrations = w
        .table(
            "registrations",
            &[
                "id",
                "year_id",
                "group_id",
                "unit_id",
                "person_id",
                "person_key",
                "title_code",
                "title_kind",
                "status",
                "flags_json",
                "live_key",
                "registered_by",
                "registered_at",
                "version",
            ],
            p.groups.iter().enumerate().flat_map(|(gi, g)| {
                let gid = p.group_id(gi as u32);
                let yid = p.year_id(g.council, g.year);
                let (p, reg_n) = (&p, &reg_n);
                g.members.iter().map(move |&m| {
                    reg_n.set(reg_n.get() + 1);
                    vec![
                        row_id(seed, T_REG, reg_n.get()).into(),
                        yid.as_str().into(),
                        gid.as_str().into(),
                        p.unit_id(m).into(),
                        V::N,
                        "-".into(),
                        p.registered_title(g.year, m).into(),
                        "collective".into(),
                        "registered".into(),
                        "[]".into(),
                        "live".into(),
                        BY.into(),
                        at(FIRST_YEAR + g.year as i64, "03-15").into(),
                        1.into(),
                    ]
                })
            }),
        )
        .await?;

    // Scores: each provincial agency's self-assessment, submitted, under its sector's
    // scheme; the entries are the demo's, with this unit's own statistics.
    let templates: Vec<Input> =
        serde_json::from_str::<std::collections::BTreeMap<String, Input>>(super::scoring::ENTRIES)?
            .into_values()
            .collect();
    if templates.is_empty() {
        bail!("the demo scoring entries are empty");
    }
    let mut an = 0u64;
    c.assessments = w
        .table(
            "assessments",
            &[
                "id",
                "scheme_id",
                "unit_id",
                "status",
                "input_json",
                "comments_json",
                "submitted_by",
                "submitted_at",
                "version",
                "updated_by",
                "updated_at",
            ],
            p.groups
                .iter()
                .filter(|g| p.councils[g.council as usize].sector && g.kind == "cluster")
                .flat_map(|g| g.members.iter().map(move |&m| (g, m)))
                .map(|(g, m)| {
                    an += 1;
                    let mut r = Rng::stream(seed, T_ASSESS, an);
                    let mut input = templates[r.below(templates.len())].clone();
                    for counts in input.indicators.values_mut() {
                        let d = counts.denominator.max(1);
                        counts.denominator = d + r.below((d / 5 + 1) as usize) as i64;
                        let miss = r.below((counts.denominator / 10 + 1) as usize) as i64;
                        counts.numerator = (counts.denominator - miss).max(0);
                    }
                    let t = at(FIRST_YEAR + g.year as i64, "11-25");
                    vec![
                        row_id(seed, T_ASSESS, an).into(),
                        p.scheme_id(g.council, g.year).into(),
                        p.unit_id(m).into(),
                        "submitted".into(),
                        serde_json::to_string(&input).unwrap_or_default().into(),
                        "{}".into(),
                        BY.into(),
                        t.as_str().into(),
                        1.into(),
                        BY.into(),
                        t.as_str().into(),
                    ]
                }),
        )
        .await?;

    // Awards: year by year, each unit's collective title (mostly what it registered for)
    // and its people's individual titles.
    let award_n = std::cell::Cell::new(0u64);
    let award_rows = (0..YEARS).flat_map(|y| {
        let (p, award_n) = (&p, &award_n);
        let year = FIRST_YEAR + y as i64;
        (0..p.units.len() as u32).flat_map(move |ui| {
            let u = &p.units[ui as usize];
            let mut r = Rng::stream(seed, T_AWARD, (y * 1_000_000 + ui as usize) as u64);
            // Decided by the council the unit belongs to (a sector's own staff: by the
            // sector), sector-level titles by the sector.
            let issuer_unit = u.council.map_or(u.root, |k| p.councils[k as usize].unit);
            let issuer = &p.units[issuer_unit as usize];
            let decision = format!("{}/QĐ-{}", 100 + y, issuer.code);
            let sector = &p.units[u.root as usize];
            let sector_decision = format!("{}/QĐ-{}", 900 + y, sector.code);
            let unit_id = p.unit_id(ui);
            let mut out: Vec<Vec<V>> = Vec::new();
            let row = |title: &str, person: Option<String>, sector_level: bool| -> Vec<V> {
                award_n.set(award_n.get() + 1);
                let (num, by) = if sector_level {
                    (&sector_decision, sector)
                } else {
                    (&decision, issuer)
                };
                vec![
                    row_id(seed, T_AWARD, award_n.get()).into(),
                    year.into(),
                    title.into(),
                    unit_id.as_str().into(),
                    person.into(),
                    num.as_str().into(),
                    format!("{year}-12-26").into(),
                    by.name.as_str().into(),
                    V::N,
                    at(year, "12-26").into(),
                    "yearly".into(),
                    V::N,
                    "import".into(),
                ]
            };
            if p.group_of[y][ui as usize] != u32::MAX {
                let roll = r.below(100);
                let title = if p.registered_title(y, ui) == COLLECTIVE_TITLES[1] {
                    match roll {
                        0..60 => Some(COLLECTIVE_TITLES[1]),
                        60..90 => Some(COLLECTIVE_TITLES[0]),
                        _ => None,
                    }
                } else {
                    (roll < 75).then_some(COLLECTIVE_TITLES[0])
                };
                if let Some(t) = title {
                    out.push(row(t, None, false));
                }
                if u.kind == Kind::Provincial && r.below(50) == 0 {
                    out.push(row(COLLECTIVE_TITLES[2], None, true));
                }
                if r.below(40) == 0 {
                    out.push(row(COLLECTIVE_TITLES[3], None, false));
                }
            }
            for j in 0..u.people {
                let mut roll = r.below(10_000) as u64;
                for (title, chance) in INDIVIDUAL_TITLES {
                    if roll < chance {
                        let sector_level = matches!(title, "sector_certificate" | "sector_fighter");
                        out.push(row(
                            title,
                            Some(person_id(seed, u.first_person + j)),
                            sector_level,
                        ));
                        break;
                    }
                    roll -= chance;
                }
            }
            out
        })
    });
    c.awards = w
        .table(
            "awards",
            &[
                "id",
                "award_year",
                "title_code",
                "unit_id",
                "person_id",
                "decision_number",
                "decision_date",
                "issuer",
                "note",
                "created_at",
                "award_kind",
                "signer",
                "source",
            ],
            award_rows,
        )
        .await?;

    // The marker, with what was written.
    let marker = Generated {
        seed,
        scale: scale_name.into(),
        counts: c.clone(),
    };
    let mut tx = store.begin(&w.ctx).await?;
    tx.set_meta(META_KEY, &serde_json::to_string(&marker)?)
        .await?;
    tx.audit::<(), _>("generate", "national", scale_name, None, Some(&marker));
    // Fresh planner statistics, as a database grown over years would have.
    sqlx::query("ANALYZE").execute(tx.conn()).await?;
    tx.commit().await?;
    w.progress.done = c.rows();
    w.progress.finish();
    Ok(c)
}

/// The tables the generator fills, each with its key columns (the order of the rows hashed).
const FINGERPRINT: [(&str, &str); 11] = [
    ("units", "code"),
    ("people", "id"),
    ("councils", "id"),
    ("emulation_years", "id"),
    ("scoring_schemes", "id"),
    ("scheme_versions", "scheme_id, version"),
    ("emulation_groups", "id"),
    ("group_members", "group_id, unit_id"),
    ("registrations", "id"),
    ("assessments", "id"),
    ("awards", "id"),
];

/// Row counts and a SHA-256 over every row of the generated tables in key order (all
/// columns, as text): two databases with the same content have the same fingerprint.
pub async fn fingerprint(store: &Store) -> Result<(Vec<(String, u64)>, String)> {
    let mut h = Sha256::new();
    let mut counts = Vec::new();
    // Read inside a transaction that writes nothing: one consistent view.
    let mut tx = store.begin(&AuditCtx::system()).await?;
    for (table, key) in FINGERPRINT {
        let cols: Vec<String> = columns(tx.conn(), table).await?;
        let select = cols
            .iter()
            .map(|c| format!("COALESCE(CAST({c} AS TEXT), '-null-')"))
            .collect::<Vec<_>>()
            .join(", ");
        let rows = sqlx::query(&format!("SELECT {select} FROM {table} ORDER BY {key}"))
            .fetch_all(tx.conn())
            .await?;
        h.update(table.as_bytes());
        for r in &rows {
            for i in 0..cols.len() {
                let v: String = r.try_get(i)?;
                h.update(v.as_bytes());
                h.update([0x1f]);
            }
            h.update([b'\n']);
        }
        counts.push((table.to_owned(), rows.len() as u64));
    }
    drop(tx);
    let digest = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok((counts, digest))
}

/// A table's columns in their declared order (the same on SQLite and PostgreSQL: the
/// migrations create them alike); none for an empty table.
async fn columns(conn: &mut sqlx::AnyConnection, table: &str) -> Result<Vec<String>> {
    let rows = sqlx::query(&format!("SELECT * FROM {table} LIMIT 1"))
        .fetch_all(&mut *conn)
        .await?;
    use sqlx::Column;
    Ok(rows
        .first()
        .map(|r| r.columns().iter().map(|c| c.name().to_owned()).collect())
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_has_the_expected_shape() {
        let p = plan(1, Scale::Small);
        assert_eq!(p.units.len(), 4 * (1 + 8 + 6 * (1 + 4 + 11 * 3)));
        // Every unit but the sectors' roots is in exactly one group each year.
        for y in 0..YEARS {
            let in_group = p.group_of[y].iter().filter(|g| **g != u32::MAX).count();
            assert_eq!(in_group, p.units.len() - 4);
        }
        for g in &p.groups {
            assert!(!g.members.is_empty());
        }
        let n = plan(1, Scale::National);
        assert!(
            (90_000..110_000).contains(&n.units.len()),
            "{}",
            n.units.len()
        );
        assert!((2_700_000..3_400_000).contains(&n.people), "{}", n.people);
        for u in &n.units {
            assert!(u.code.len() <= thidua_domain::unit::MAX_CODE);
            assert!(u.name.chars().count() <= thidua_domain::unit::MAX_NAME);
        }
    }

    #[test]
    fn ids_are_unique_and_ordered() {
        let a: Vec<String> = (0..1000).map(|n| row_id(7, T_AWARD, n)).collect();
        let mut s = a.clone();
        s.sort();
        s.dedup();
        assert_eq!(a, s);
        assert_ne!(row_id(7, T_AWARD, 0), row_id(8, T_AWARD, 0));
        assert_ne!(row_id(7, T_AWARD, 0), row_id(7, T_UNIT, 0));
    }
}
