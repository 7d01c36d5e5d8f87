//! The plain types of chiso's world: periods, metrics, values, units.

use std::fmt;

use serde::Serialize;

mod period;
pub(crate) use period::quarter_numeral;
pub use period::{Period, PeriodKind, period_problem};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    Percent,
    Points,
    Count,
    Label,
}

impl MetricKind {
    pub fn parse(s: &str) -> Option<MetricKind> {
        Some(match s {
            "percent" => MetricKind::Percent,
            "points" => MetricKind::Points,
            "count" => MetricKind::Count,
            "label" => MetricKind::Label,
            _ => return None,
        })
    }
}

/// One row of the metric catalog.
#[derive(Debug, Clone)]
pub struct Metric {
    pub id: i64,
    pub code: String,
    pub label: String,
    pub kind: MetricKind,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// Allowed labels, best first (kind Label only).
    pub labels: Vec<String>,
}

/// A stored value: a number, or a label such as "Tốt".
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Num(f64),
    Label(String),
}

impl Value {
    /// Plain machine form: shortest decimal with a dot, labels as they are.
    pub fn plain(&self) -> String {
        match self {
            Value::Num(x) => format!("{x}"),
            Value::Label(s) => s.clone(),
        }
    }
}

/// A value as JSON writes it for its metric: counts as integers, other
/// numbers as numbers, labels as strings. The one rule for every JSON
/// chiso prints (export, findings).
pub struct JsonValue<'a>(pub &'a Value, pub MetricKind);

impl JsonValue<'_> {
    /// The same as `serde_json::to_value(self)`, without the serializer
    /// round trip (findings build 60,000 of these).
    pub fn to_value(&self) -> serde_json::Value {
        match self.0 {
            Value::Num(x) if self.1 == MetricKind::Count => (*x as i64).into(),
            Value::Num(x) => serde_json::Number::from_f64(*x)
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
            Value::Label(l) => serde_json::Value::String(l.clone()),
        }
    }
}

impl Serialize for JsonValue<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Num(x) if self.1 == MetricKind::Count => s.serialize_i64(*x as i64),
            Value::Num(x) => s.serialize_f64(*x),
            Value::Label(l) => s.serialize_str(l),
        }
    }
}

/// Kinds of unit. The first five are issuing levels (a parent; under a
/// province, the districts of months before 7/2025), then commune-level
/// units, then a province's agencies (sở, ban, ngành).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Tinh,
    ThanhPho,
    Huyen,
    ThiXa,
    Quan,
    Xa,
    Phuong,
    ThiTran,
    DacKhu,
    CoQuan,
}

impl UnitKind {
    pub const ALL: [UnitKind; 10] = [
        UnitKind::Tinh,
        UnitKind::ThanhPho,
        UnitKind::Huyen,
        UnitKind::ThiXa,
        UnitKind::Quan,
        UnitKind::Xa,
        UnitKind::Phuong,
        UnitKind::ThiTran,
        UnitKind::DacKhu,
        UnitKind::CoQuan,
    ];

    pub fn code(self) -> &'static str {
        match self {
            UnitKind::Tinh => "tinh",
            UnitKind::ThanhPho => "thanh_pho",
            UnitKind::Huyen => "huyen",
            UnitKind::ThiXa => "thi_xa",
            UnitKind::Quan => "quan",
            UnitKind::Xa => "xa",
            UnitKind::Phuong => "phuong",
            UnitKind::ThiTran => "thi_tran",
            UnitKind::DacKhu => "dac_khu",
            UnitKind::CoQuan => "co_quan",
        }
    }

    /// The word that starts a name of this kind ("Thị trấn Khoái Châu").
    pub fn prefix(self) -> &'static str {
        match self {
            UnitKind::Tinh => "Tỉnh",
            UnitKind::ThanhPho => "Thành phố",
            UnitKind::Huyen => "Huyện",
            UnitKind::ThiXa => "Thị xã",
            UnitKind::Quan => "Quận",
            UnitKind::Xa => "Xã",
            UnitKind::Phuong => "Phường",
            UnitKind::ThiTran => "Thị trấn",
            UnitKind::DacKhu => "Đặc khu",
            UnitKind::CoQuan => "Cơ quan",
        }
    }

    /// Exact stored code ("thi_tran"), as the database holds it.
    pub fn from_code(s: &str) -> Option<UnitKind> {
        UnitKind::ALL.into_iter().find(|k| k.code() == s)
    }

    /// What a user types: a code or the Vietnamese word, any accents or case.
    pub fn parse(s: &str) -> Option<UnitKind> {
        if let Some(k) = UnitKind::from_code(s) {
            return Some(k);
        }
        let key = crate::text::fold(s).replace([' ', '-'], "_");
        UnitKind::ALL
            .into_iter()
            .find(|k| k.code() == key || crate::text::fold(k.prefix()).replace(' ', "_") == key)
    }

    pub fn is_parent_level(self) -> bool {
        matches!(
            self,
            UnitKind::Tinh
                | UnitKind::ThanhPho
                | UnitKind::Huyen
                | UnitKind::ThiXa
                | UnitKind::Quan
        )
    }

    /// The group the unit's results are published in.
    pub fn group(self) -> Group {
        match self {
            UnitKind::CoQuan => Group::CoQuan,
            UnitKind::Tinh
            | UnitKind::ThanhPho
            | UnitKind::Huyen
            | UnitKind::ThiXa
            | UnitKind::Quan => Group::Huyen,
            UnitKind::Xa | UnitKind::Phuong | UnitKind::ThiTran | UnitKind::DacKhu => Group::Xa,
        }
    }

    /// A provincial agency's name: it starts with one of the words the
    /// portal's agency names start with ("Sở Tư pháp", "Công an tỉnh").
    pub fn is_agency_name(name: &str) -> bool {
        const STARTS: [&str; 10] = [
            "so",
            "ban",
            "van phong",
            "thanh tra",
            "cong an",
            "bao hiem xa hoi",
            "thue",
            "kho bac",
            "cuc",
            "chi cuc",
        ];
        let head: String = name
            .split_whitespace()
            .take(5)
            .collect::<Vec<_>>()
            .join(" ");
        let folded = crate::text::fold(&head);
        STARTS.iter().any(|s| {
            folded.starts_with(s) && folded.as_bytes().get(s.len()).is_none_or(|&b| b == b' ')
        })
    }

    /// The kind a name announces by its first word(s), if any, and the rest
    /// of the name. "Thị trấn Khoái Châu" → (ThiTran, "Khoái Châu").
    pub fn split_prefix(name: &str) -> (Option<UnitKind>, &str) {
        // Folded prefixes, longest first so "Thị trấn" wins over a bare word;
        // computed once, this runs for every name of a national import.
        static PREFIXES: std::sync::OnceLock<Vec<(UnitKind, String, usize)>> =
            std::sync::OnceLock::new();
        let prefixes = PREFIXES.get_or_init(|| {
            // An agency has no kind word: its whole name is its name.
            let mut v: Vec<(UnitKind, String, usize)> = UnitKind::ALL
                .into_iter()
                .filter(|k| *k != UnitKind::CoQuan)
                .map(|k| {
                    let p = crate::text::fold(k.prefix());
                    let words = p.split(' ').count();
                    (k, p, words)
                })
                .collect();
            v.sort_by_key(|(_, p, _)| std::cmp::Reverse(p.len()));
            v
        });
        // Prefixes are at most two words: fold only the first three.
        let head_end = name.split_whitespace().take(3).last().map_or(0, |w| {
            w.as_ptr() as usize + w.len() - name.as_ptr() as usize
        });
        let folded = crate::text::fold(&name[..head_end]);
        for (kind, p, words) in prefixes {
            if folded.len() > p.len()
                && folded.starts_with(p.as_str())
                && folded.as_bytes()[p.len()] == b' '
            {
                // Skip as many words in the original as the prefix has.
                let rest = name
                    .trim()
                    .splitn(words + 1, char::is_whitespace)
                    .nth(*words);
                if let Some(rest) = rest {
                    return (Some(*kind), rest.trim());
                }
            }
        }
        (None, name.trim())
    }
}

impl fmt::Display for UnitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The groups a province publishes apart: its agencies, its districts
/// (months before 7/2025) and its communes. Under a district, only `Xa`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    CoQuan,
    Huyen,
    Xa,
}

impl Group {
    /// In the order a province's letter and tables put them.
    pub const ALL: [Group; 3] = [Group::CoQuan, Group::Huyen, Group::Xa];

    pub fn code(self) -> &'static str {
        match self {
            Group::CoQuan => "co_quan",
            Group::Huyen => "huyen",
            Group::Xa => "xa",
        }
    }

    /// "Cơ quan cấp tỉnh", as a section of the letter is headed.
    pub fn label_vi(self) -> &'static str {
        match self {
            Group::CoQuan => "Cơ quan cấp tỉnh",
            Group::Huyen => "UBND cấp huyện",
            Group::Xa => "UBND cấp xã",
        }
    }

    /// A code, or the Vietnamese words, any accents or case ("cơ quan",
    /// "xa", "cap huyen").
    pub fn parse(s: &str) -> Option<Group> {
        let key = crate::text::fold(s.trim()).replace(['-', '_'], " ");
        let key = key.split_whitespace().collect::<Vec<_>>().join(" ");
        Some(match key.as_str() {
            "co quan" | "co quan cap tinh" | "so" | "so ban nganh" | "nganh" => Group::CoQuan,
            "huyen" | "cap huyen" | "ubnd cap huyen" => Group::Huyen,
            "xa" | "cap xa" | "ubnd cap xa" | "xa phuong" => Group::Xa,
            _ => return None,
        })
    }
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Cities directly under the central government: as a parent, a province.
const CENTRAL_CITIES: [&str; 6] = [
    "ha noi",
    "ho chi minh",
    "hai phong",
    "da nang",
    "can tho",
    "hue",
];

#[derive(Debug, Clone)]
pub struct Unit {
    pub id: i64,
    pub name: String,
    pub kind: UnitKind,
    pub is_parent: bool,
    /// The first month the unit exists (None: it always did).
    pub from: Option<Period>,
    /// The first month it no longer exists (None: it still does).
    pub until: Option<Period>,
}

impl Unit {
    pub fn group(&self) -> Group {
        self.kind.group()
    }

    /// Does the unit exist in `p` (a quarter or a year: at its end)?
    pub fn exists_in(&self, p: Period) -> bool {
        let p = p.last_month();
        self.from.is_none_or(|f| f <= p) && self.until.is_none_or(|u| p < u)
    }

    /// As a parent: is this a province's office (agencies, districts and
    /// communes under it) rather than a district's (communes only)?
    pub fn is_province(&self) -> bool {
        match self.kind {
            UnitKind::Tinh => true,
            UnitKind::ThanhPho => {
                let bare = crate::text::fold(UnitKind::split_prefix(&self.name).1);
                CENTRAL_CITIES.contains(&bare.as_str())
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_value_direct_equals_serialized() {
        for (v, k) in [
            (Value::Num(3090.0), MetricKind::Count),
            (Value::Num(40.7), MetricKind::Percent),
            (Value::Num(100.0), MetricKind::Percent),
            (Value::Num(f64::NAN), MetricKind::Points),
            (Value::Label("Tốt".into()), MetricKind::Label),
        ] {
            let j = JsonValue(&v, k);
            assert_eq!(j.to_value(), serde_json::to_value(&j).unwrap(), "{v:?}");
        }
    }

    #[test]
    fn kind_prefixes() {
        assert_eq!(
            UnitKind::split_prefix("Thị trấn Khoái Châu"),
            (Some(UnitKind::ThiTran), "Khoái Châu")
        );
        assert_eq!(
            UnitKind::split_prefix("xã  An Vỹ"),
            (Some(UnitKind::Xa), "An Vỹ")
        );
        assert_eq!(
            UnitKind::split_prefix("Huyện Khoái Châu"),
            (Some(UnitKind::Huyen), "Khoái Châu")
        );
        assert_eq!(
            UnitKind::split_prefix("Thị xã Mỹ Hào"),
            (Some(UnitKind::ThiXa), "Mỹ Hào")
        );
        assert_eq!(UnitKind::split_prefix("Xuân Trúc"), (None, "Xuân Trúc"));
        assert_eq!(UnitKind::split_prefix("Xã"), (None, "Xã"));
        assert_eq!(UnitKind::parse("thi_tran"), Some(UnitKind::ThiTran));
        assert_eq!(UnitKind::parse("phường"), Some(UnitKind::Phuong));
        assert_eq!(UnitKind::parse("đặc khu"), Some(UnitKind::DacKhu));
        assert_eq!(UnitKind::parse("village"), None);
    }
}
