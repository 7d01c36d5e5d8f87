//! The office's settings (`settings` table): which keys chiso knows, what
//! their values must look like, reading and writing them.

use rusqlite::{Connection, OptionalExtension, Transaction};

use crate::text;

/// Settings chiso reads, with what each means (shown by `settings list`).
pub const KNOWN: &[(&str, &str)] = &[
    (
        "escalate_after",
        "số kỳ liên tiếp (tháng, quý hoặc năm; từ 1) để nâng mức một phát hiện nghiêm trọng",
    ),
    (
        "accountability",
        "câu trách nhiệm thêm vào chỉ đạo khi nâng mức ({unit}, {parent}, …)",
    ),
    (
        "issuer",
        "công văn: cơ quan ban hành, các dòng cách nhau bởi | (mặc định: ỦY BAN NHÂN DÂN|tên đơn vị cấp trên)",
    ),
    (
        "doc_number:KỲ",
        "công văn của một kỳ (tháng 2024-08, quý 2025-Q3, năm 2025): số, ví dụ doc_number:2024-08 884 (mặc định: …)",
    ),
    ("doc_symbol", "công văn: ký hiệu (mặc định: UBND-VP)"),
    (
        "place",
        "công văn: địa danh ghi trước ngày tháng (mặc định: tên đơn vị cấp trên)",
    ),
    (
        "recipients",
        "công văn: Kính gửi, cách nhau bởi | (mặc định: Thủ trưởng các cơ quan, đơn vị|Chủ tịch UBND các xã, …)",
    ),
    (
        "source_letter:KỲ",
        "công văn của một kỳ: văn bản căn cứ, ví dụ: Công văn số 303/VPUB-PVHCC&KSTT ngày 05/9/2024 của UBND tỉnh",
    ),
    (
        "publisher",
        "công văn: đơn vị công bố (mặc định: Văn phòng HĐND và UBND huyện)",
    ),
    (
        "publication",
        "công văn: câu giao công khai kết quả, cuối thân văn bản",
    ),
    (
        "cc",
        "công văn: Nơi nhận, cách nhau bởi | (mặc định: Như trên|Lưu: VT)",
    ),
    (
        "signer_block",
        "công văn: thẩm quyền ký, các dòng cách nhau bởi | (mặc định: TM. ỦY BAN NHÂN DÂN|CHỦ TỊCH)",
    ),
    ("signer_name", "công văn: họ tên người ký"),
    (
        "annex_decimal",
        "phụ lục: dấu thập phân, comma (93,45; mặc định) hoặc dot (93.45, như Cổng DVC)",
    ),
    (
        "annex_order",
        "phụ lục: thứ tự đơn vị, alphabetical (mặc định) hoặc towns_first (thị trấn, phường trước)",
    ),
    (
        "max_named",
        "công văn: mỗi tiêu chí nêu tên tối đa chừng này đơn vị (kém nhất), còn lại xem phụ lục danh sách (mặc định: 10)",
    ),
    (
        "standing_directives",
        "công văn: các nhiệm vụ chung đặt trước các chỉ đạo theo tiêu chí, cách nhau bởi | (mặc định: câu tuyên truyền khai thác dữ liệu số hoá; - để bỏ)",
    ),
    (
        "directive_subject",
        "công văn: chủ thể của các câu chỉ đạo, ví dụ Chủ tịch UBND huyện (… yêu cầu …); - để bỏ",
    ),
    (
        "timezone",
        "múi giờ hiển thị thời gian trong nhật ký (log, L), ví dụ +07:00 (mặc định: múi giờ của máy; +07:00 khi máy chạy giờ UTC)",
    ),
];

/// Settings kept per period, as `KEY:2024-08`, `KEY:2025-Q3`, `KEY:2025`:
/// each letter has its own number and answers its own letter from the
/// province. Stored under the period as chiso writes it, whatever spelling
/// was typed (`doc_number:quý III/2025` is `doc_number:2025-Q3`).
pub const MONTHLY: [&str; 2] = ["doc_number", "source_letter"];

/// The month-scoped settings stored, (key, value), in key order.
pub fn monthly(conn: &Connection) -> rusqlite::Result<Vec<(String, String)>> {
    let mut st = conn.prepare(
        "SELECT key, value FROM settings WHERE key GLOB 'doc_number:*' OR key GLOB 'source_letter:*' ORDER BY key",
    )?;
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect()
}

#[derive(Debug, thiserror::Error)]
pub enum SettingError {
    #[error("không có thiết lập \"{0}\"; các khoá: {1}")]
    Unknown(String, String),
    #[error("giá trị chứa ký tự điều khiển")]
    Control,
    #[error("{0} cần một số nguyên từ 1 trở lên, không phải \"{1}\"")]
    NotACount(&'static str, String),
    #[error("{0} là của từng kỳ: đặt {0}:KỲ, ví dụ {0}:2024-08 hoặc {0}:2025-Q3")]
    Monthly(&'static str),
    #[error("timezone cần dạng +07:00 (từ -14:00 đến +14:00), không phải \"{0}\"")]
    NotAnOffset(String),
    #[error("{0} nhận một trong: {1}; không phải \"{2}\"")]
    NotOneOf(&'static str, &'static str, String),
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

pub fn get(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
        r.get(0)
    })
    .optional()
}

/// Checks and stores a setting; returns the key and the value as stored
/// (a period's key in its canonical spelling, the value cleaned).
pub fn set(tx: &Transaction<'_>, key: &str, value: &str) -> Result<(String, String), SettingError> {
    for m in MONTHLY {
        if key == m {
            return Err(SettingError::Monthly(m));
        }
    }
    let per_period = key.split_once(':').and_then(|(k, p)| {
        let p = crate::model::Period::parse(p)?;
        MONTHLY.contains(&k).then(|| format!("{k}:{p}"))
    });
    let monthly = per_period.is_some();
    let key = per_period.as_deref().unwrap_or(key);
    if !monthly && !KNOWN.iter().any(|(k, _)| *k == key) {
        let keys: Vec<&str> = KNOWN.iter().map(|(k, _)| *k).collect();
        return Err(SettingError::Unknown(text::show(key), keys.join(", ")));
    }
    if text::find_control(value).is_some() {
        return Err(SettingError::Control);
    }
    for counted in ["escalate_after", "max_named"] {
        if key == counted && !value.trim().parse::<u32>().is_ok_and(|n| n >= 1) {
            return Err(SettingError::NotACount(counted, text::show(value)));
        }
    }
    let choices = match key {
        "annex_decimal" => Some(("annex_decimal", "comma, dot", &["comma", "dot"][..])),
        "annex_order" => Some((
            "annex_order",
            "alphabetical, towns_first",
            &["alphabetical", "towns_first"][..],
        )),
        _ => None,
    };
    if let Some((k, list, ok)) = choices
        && !ok.contains(&value.trim())
    {
        return Err(SettingError::NotOneOf(k, list, text::show(value)));
    }
    let value = if key == "timezone" {
        let offset = super::local_time::parse_offset(value)
            .ok_or_else(|| SettingError::NotAnOffset(text::show(value)))?;
        offset.to_string()
    } else {
        text::clean(value)
    };
    tx.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        rusqlite::params![key, value],
    )?;
    Ok((key.to_owned(), value))
}
