//! The monthly công văn: the letter and its two annexes, built from one
//! read of the database (the month's values and its findings in the same
//! transaction), so every figure in the text is the figure in the annex.
//! `Letter` is plain data; `markdown`, `plain` and `docx` lay it out.

pub mod docx;
pub mod markdown;
pub mod plain;

use rusqlite::Connection;

use crate::db::{self, Catalog};
use crate::model::{Group, MetricKind, Period, Unit, UnitKind, Value};
use crate::rules::render::{self, unit_phrase, value_vi};
use crate::rules::{self, Finding, Findings, Rule, RuleError, RuleKind};
use crate::text;

/// The parent's figures in section 1, in this order.
pub const PARENT_METRICS: [&str; 5] = [
    "processing",
    "satisfaction",
    "online_payment",
    "score",
    "digitization",
];
/// The columns of Phụ lục 1 and Phụ lục 2.
pub const ANNEX_1: [&str; 3] = ["processing", "satisfaction", "online_payment"];
pub const ANNEX_2: [&str; 4] = ["score", "digitization", "e_copies", "rating"];

/// A piece of the body.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Para(String),
    /// "1. Một số tiêu chí …": a numbered heading line.
    Heading(String),
    /// "a) Cơ quan cấp tỉnh (Phụ lục I và Phụ lục II)": a group's part of
    /// a province's letter.
    Subheading(String),
    Bullet(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Annex {
    /// "Phụ lục 1"; in a province's letter "Phụ lục I", "Phụ lục II" …
    pub title: String,
    /// The group whose units the annex lists (a province's letter); None:
    /// every unit (a district's).
    pub group: Option<Group>,
    pub caption: String,
    /// "(Kèm theo Công văn số …)"
    pub note: String,
    pub columns: Vec<String>,
    /// STT, unit, then one text per column.
    pub rows: Vec<Vec<String>>,
    /// The same rows as values (unit name, one per column), for a
    /// spreadsheet that stores numbers as numbers.
    pub values: Vec<(String, Vec<Option<Value>>)>,
}

/// Everything the letter says, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Letter {
    /// "ỦY BAN NHÂN DÂN", "HUYỆN KHOÁI CHÂU"
    pub issuer: Vec<String>,
    /// "Số: 884/UBND-VP"
    pub number: String,
    /// "V/v công bố kết quả …"
    pub subject: String,
    /// "Khoái Châu, ngày … tháng … năm 2024"
    pub place_date: String,
    pub recipients: Vec<String>,
    pub body: Vec<Block>,
    pub cc: Vec<String>,
    /// "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"
    pub signer: Vec<String>,
    pub signer_name: String,
    pub annexes: Vec<Annex>,
    /// The signing date, when given (the DOCX's creation date).
    pub date: Option<chrono::NaiveDate>,
}

/// Spelt as Nghị định 30/2020 spells it ("HÒA", not "HOÀ").
pub const QUOC_HIEU: &str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
pub const TIEU_NGU: &str = "Độc lập - Tự do - Hạnh phúc";

/// A report and what the operator should know about it.
#[derive(Debug)]
pub struct Report {
    pub letter: Letter,
    /// Rules left out because they could not be judged, missing figures …
    pub warnings: Vec<String>,
    /// The findings the directives came from (for checks and tests).
    pub findings: Findings,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// The letter's date; None leaves "ngày … tháng … năm" to fill in.
    pub date: Option<chrono::NaiveDate>,
}

/// Builds the letter for `period` from one consistent read.
pub fn build(conn: &Connection, period: Period, opts: Options) -> Result<Report, RuleError> {
    let own_tx = conn.is_autocommit();
    if own_tx {
        conn.execute_batch("BEGIN")?;
    }
    let result = build_in(conn, period, opts);
    if own_tx && conn.execute_batch("COMMIT").is_err() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    result
}

fn setting(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    Ok(db::settings::get(conn, key)?.filter(|v| !v.trim().is_empty()))
}

/// A `|`-separated list setting; None when unset or empty ("|").
fn list_setting(conn: &Connection, key: &str) -> rusqlite::Result<Option<Vec<String>>> {
    Ok(setting(conn, key)?.and_then(|v| {
        let list: Vec<String> = v
            .split('|')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        (!list.is_empty()).then_some(list)
    }))
}

fn build_in(conn: &Connection, period: Period, opts: Options) -> Result<Report, RuleError> {
    let findings = rules::evaluate(conn, period)?;
    let cat = Catalog::load(conn)?;
    let table = rules::month::month_table(conn, &cat, &findings.context.rules, period)?;
    let mut warnings = Vec::new();
    let month = period.label_vi();
    let kinds = findings.context.kinds_word.clone();
    let parent = table.parent.clone();
    let parent_kind = parent.as_ref().map_or(UnitKind::Huyen, |p| p.kind);
    let level = parent_kind.prefix().to_lowercase();
    let parent_bare = parent
        .as_ref()
        .map(|p| UnitKind::split_prefix(&p.name).1.to_owned())
        .unwrap_or_default();
    let parent_phrase = parent.as_ref().map(unit_phrase).unwrap_or_default();

    // A province (or city) has no "Văn phòng HĐND và UBND" nor phòng: its
    // defaults differ from a district's.
    let province = matches!(parent_kind, UnitKind::Tinh | UnitKind::ThanhPho);
    let issuer = list_setting(conn, "issuer")?.unwrap_or_else(|| {
        vec![
            "ỦY BAN NHÂN DÂN".into(),
            parent
                .as_ref()
                .map_or(String::new(), |p| unit_phrase(p).to_uppercase()),
        ]
    });
    let symbol = setting(conn, "doc_symbol")?.unwrap_or_else(|| "UBND-VP".into());
    // The number and the source letter are the month's own.
    let monthly = |key: &str, warnings: &mut Vec<String>, example: &str| {
        let k = format!("{key}:{period}");
        setting(conn, &k).map(|v| {
            v.or_else(|| {
                warnings.push(format!(
                    "chưa đặt {key} của {month}: chiso settings set {k} \"{example}\""
                ));
                None
            })
        })
    };
    let number_only = monthly("doc_number", &mut warnings, "884")?.unwrap_or_else(|| "…".into());
    let number = format!("Số: {number_only}/{symbol}");
    let subject = format!(
        "V/v công bố kết quả đánh giá Bộ chỉ số phục vụ người dân, doanh nghiệp trong thực hiện TTHC, cung cấp dịch vụ công {month}"
    );
    let place = setting(conn, "place")?.unwrap_or_else(|| parent_bare.clone());
    let date = match opts.date {
        Some(d) => {
            let next = period.next();
            let first_after =
                chrono::NaiveDate::from_ymd_opt(next.year.into(), next.month.into(), 1);
            if first_after.is_some_and(|f| d < f) {
                warnings.push(format!(
                    "ngày ký {d} còn trong {month}: kết quả một tháng thường công bố từ tháng sau"
                ));
            }
            date_vi(d)
        }
        None => format!("ngày … tháng … năm {}", period.next().year),
    };
    let place_date = format!("{place}, {date}");

    // A province's letter speaks to each group of the month apart: its
    // agencies, its districts (months before 7/2025), its communes.
    let grouped = parent.as_ref().is_some_and(Unit::is_province);
    let units_now: &[Unit] = &findings.context.units;
    let groups: Vec<Group> = if grouped {
        Group::ALL
            .into_iter()
            .filter(|g| units_now.iter().any(|u| u.group() == *g))
            .collect()
    } else {
        Vec::new()
    };
    let of_group = |g: Group| -> Vec<Unit> {
        units_now
            .iter()
            .filter(|u| u.group() == g)
            .cloned()
            .collect()
    };
    // "các cơ quan cấp tỉnh", "UBND các xã": each group as the text names it.
    let nouns: Vec<String> = groups
        .iter()
        .map(|&g| group_noun(g, &of_group(g)))
        .collect();

    let recipients = match list_setting(conn, "recipients")? {
        Some(list) if grouped => group_recipients(&list, &groups, units_now),
        Some(list) => list,
        None if grouped => group_recipients(&[], &groups, units_now),
        None => vec![
            "Thủ trưởng các cơ quan, đơn vị".into(),
            format!("Chủ tịch UBND các {kinds}"),
        ],
    };
    let publisher = setting(conn, "publisher")?.unwrap_or_else(|| {
        if province {
            format!("Văn phòng UBND {level}")
        } else {
            format!("Văn phòng HĐND và UBND {level}")
        }
    });
    let source_example = if province {
        "Công văn số …/VPCP-KSTT ngày … của Văn phòng Chính phủ"
    } else {
        "Công văn số …/VPUB-PVHCC&KSTT ngày … của UBND tỉnh"
    };
    let source = monthly("source_letter", &mut warnings, source_example)?
        .unwrap_or_else(|| source_example.to_owned());

    // The annexes first: the text refers to them by number.
    let decimal_dot = setting(conn, "annex_decimal")?.as_deref() == Some("dot");
    let towns_first = setting(conn, "annex_order")?.as_deref() == Some("towns_first");
    let note = format!(
        "(Kèm theo Công văn số {number_only}/{symbol} {date} của UBND {level} {parent_bare})"
    );
    let mut order: Vec<&Unit> = table.units.iter().collect();
    if towns_first {
        // Stable: name order within each group.
        order.sort_by_key(|u| !matches!(u.kind, UnitKind::ThiTran | UnitKind::Phuong));
    }
    let annex = |title: String, group: Option<Group>, caption: String, codes: &[&str]| {
        let metrics: Vec<usize> = codes.iter().filter_map(|c| cat.index_of(c)).collect();
        let order: Vec<&Unit> = order
            .iter()
            .copied()
            .filter(|u| group.is_none_or(|g| u.group() == g))
            .collect();
        Annex {
            title,
            group,
            caption,
            note: note.clone(),
            columns: metrics
                .iter()
                .map(|&m| cat.metrics[m].label.clone())
                .collect(),
            rows: order
                .iter()
                .enumerate()
                .map(|(i, u)| {
                    let row = table.current.units.get(&u.id);
                    let mut cells = vec![(i + 1).to_string(), u.name.clone()];
                    cells.extend(metrics.iter().map(|&m| {
                        row.and_then(|r| r[m].as_ref())
                            .map_or("-".into(), |v| annex_value(v, decimal_dot))
                    }));
                    cells
                })
                .collect(),
            values: order
                .iter()
                .map(|u| {
                    let row = table.current.units.get(&u.id);
                    let cells = metrics
                        .iter()
                        .map(|&m| row.and_then(|r| r[m].clone()))
                        .collect();
                    (u.name.clone(), cells)
                })
                .collect(),
        }
    };
    let caption_1 = |whom: &str| {
        format!(
            "Một số tiêu chí thành phần trong bộ chỉ số phục vụ người dân, doanh nghiệp của {whom} {month}"
        )
    };
    let caption_2 =
        |whom: &str| format!("Các chỉ tiêu chỉ phát sinh hoặc thống kê được của {whom} {month}");
    let annexes: Vec<Annex> = if grouped {
        // Two tables per group, as the seed's: numbered I, II, III … in the
        // order of the groups.
        let mut v = Vec::new();
        for (&g, noun) in groups.iter().zip(&nouns) {
            for (caption, codes) in [(caption_1(noun), &ANNEX_1[..]), (caption_2(noun), &ANNEX_2)] {
                let title = format!("Phụ lục {}", roman(v.len() + 1));
                v.push(annex(title, Some(g), caption, codes));
            }
        }
        v
    } else {
        let whom = format!("UBND các {kinds}");
        vec![
            annex("Phụ lục 1".into(), None, caption_1(&whom), &ANNEX_1),
            annex("Phụ lục 2".into(), None, caption_2(&whom), &ANNEX_2),
        ]
    };
    let annexes_of = |g: Group| -> Vec<&str> {
        annexes
            .iter()
            .filter(|a| a.group == Some(g))
            .map(|a| a.title.as_str())
            .collect()
    };

    let whom = if grouped {
        let mut all = vec![level.clone()];
        all.extend(nouns.iter().cloned());
        join_and(&all)
    } else {
        format!("{level} và các {kinds}")
    };
    let mut body = vec![
        Block::Para(format!(
            "Thực hiện {source} về việc công bố kết quả đánh giá Bộ chỉ số phục vụ người dân, doanh nghiệp trong thực hiện TTHC, cung cấp dịch vụ công {month}."
        )),
        Block::Para(format!(
            "Trên cơ sở kết quả đồng bộ công khai trên Cổng Dịch vụ công quốc gia tại địa chỉ https://quantri.dichvucong.gov.vn/, {publisher} công bố kết quả đánh giá Bộ chỉ số phục vụ người dân, doanh nghiệp trong thực hiện TTHC, cung cấp dịch vụ công {month} của {whom} như sau:"
        )),
        Block::Heading(format!(
            "1. Một số tiêu chí thành phần trong bộ chỉ số phục vụ người dân, doanh nghiệp của {level} {month}."
        )),
    ];
    for code in PARENT_METRICS {
        let Some(m) = cat.index_of(code) else {
            continue;
        };
        let metric = &cat.metrics[m];
        let v = table.current.parent.as_ref().and_then(|r| r[m].as_ref());
        let shown = match v {
            Some(v) => figure(v, metric),
            None => {
                warnings.push(format!(
                    "{parent_phrase} chưa có số liệu {} {month}: chiso set --period {period} --unit \"{}\" {code}=…",
                    metric.code,
                    parent.as_ref().map_or("", |p| p.name.as_str())
                ));
                "chưa có số liệu".into()
            }
        };
        body.push(Block::Bullet(format!("{}: {shown}", metric.label)));
    }
    if grouped {
        let titles: Vec<&str> = annexes.iter().map(|a| a.title.as_str()).collect();
        body.push(Block::Heading(format!(
            "2. Các chỉ tiêu chỉ phát sinh hoặc thống kê được của {} {month} ({} kèm theo).",
            join_and(&nouns),
            refs(&titles)
        )));
    } else {
        body.push(Block::Heading(format!(
            "2. Các chỉ tiêu chỉ phát sinh hoặc thống kê được của UBND các {kinds} {month}. (có phụ lục kèm theo)"
        )));
    }
    // Units formed or changed this month: said once, with why.
    if let Some(s) = not_comparable(&findings, period) {
        body.push(Block::Para(s));
    }
    let accountability = db::settings::get(conn, "accountability")?.unwrap_or_default();
    let tasks = if grouped {
        let mut tasks = Vec::new();
        let mut letter = 'a';
        for &g in &groups {
            let blocks = directives(&findings, period, &parent_phrase, &accountability, Some(g));
            if blocks.is_empty() {
                continue;
            }
            if groups.len() > 1 {
                tasks.push(Block::Subheading(format!(
                    "{letter}) {} ({})",
                    g.label_vi(),
                    refs(&annexes_of(g))
                )));
                letter = char::from(letter as u8 + 1);
            }
            tasks.extend(blocks);
        }
        tasks
    } else {
        directives(&findings, period, &parent_phrase, &accountability, None)
    };
    let addressees = if grouped {
        nouns.join("; ")
    } else {
        format!("các cơ quan, đơn vị; UBND các {kinds}")
    };
    let intro = format!(
        "Căn cứ kết quả nêu trên, {publisher} đề nghị {addressees} tiếp tục đẩy mạnh các giải pháp cải cách và nâng cao hiệu quả giải quyết TTHC, cung cấp dịch vụ công; tiến hành rà soát, tăng cường chỉ đạo đẩy mạnh triển khai thực hiện các nhiệm vụ để nâng cao điểm số cũng như tỷ lệ các nhóm chỉ số đang ở mức thấp, duy trì và phát huy hơn nữa các chỉ số đang ở mức tốt"
    );
    if tasks.is_empty() {
        body.push(Block::Para(format!("{intro}.")));
    } else {
        body.push(Block::Para(format!(
            "{intro}, trong đó đặc biệt tăng cường các nhiệm vụ sau:"
        )));
        body.extend(tasks);
    }
    // Units the letter names as not comparable are in the text itself.
    for n in findings.not_evaluated.iter().filter(|n| n.unit.is_none()) {
        warnings.push(format!(
            "quy tắc {} không xét được ({}): không có trong công văn",
            n.rule, n.reason
        ));
    }
    let own_site = if grouped {
        match groups.as_slice() {
            [g @ (Group::Huyen | Group::Xa)] => {
                let kinds = render::kinds_word(&of_group(*g));
                if kinds.contains(", ") {
                    "mình".to_owned()
                } else {
                    kinds
                }
            }
            _ => "mình".to_owned(),
        }
    } else {
        match kinds.split(", ").collect::<Vec<_>>().as_slice() {
            [one] => (*one).to_owned(),
            _ => "mình".to_owned(),
        }
    };
    let publication = setting(conn, "publication")?.unwrap_or_else(|| {
        if grouped {
            format!(
                "Giao Văn phòng UBND {level} công khai kết quả trên Cổng thông tin điện tử {level}; {} công khai kết quả trên Cổng thông tin điện tử của {own_site}./.",
                join_and(&nouns)
            )
        } else if province {
            format!(
                "Giao Văn phòng UBND {level} công khai kết quả trên Cổng thông tin điện tử {level}; UBND các {kinds} công khai kết quả trên Cổng thông tin điện tử của {own_site}./."
            )
        } else {
            format!(
                "Giao Phòng Văn hoá và Thông tin công khai kết quả trên Cổng thông tin điện tử {level}; chỉ đạo các {kinds} công khai kết quả trên Cổng thông tin điện tử của {own_site}./."
            )
        }
    });
    body.push(Block::Para(publication));

    let cc = list_setting(conn, "cc")?.unwrap_or_else(|| vec!["Như trên".into(), "Lưu: VT".into()]);
    let signer = list_setting(conn, "signer_block")?
        .unwrap_or_else(|| vec!["TM. ỦY BAN NHÂN DÂN".into(), "CHỦ TỊCH".into()]);
    let signer_name = setting(conn, "signer_name")?.unwrap_or_default();
    if signer_name.trim().is_empty() {
        warnings
            .push("chưa đặt tên người ký: chiso settings set signer_name \"Họ và tên\"".to_owned());
    }
    Ok(Report {
        letter: Letter {
            issuer,
            number,
            subject,
            place_date,
            recipients,
            body,
            cc,
            signer,
            signer_name,
            annexes,
            date: opts.date,
        },
        warnings,
        findings,
    })
}

/// "ngày 09 tháng 9 năm 2024", "ngày 05 tháng 01 năm 2025": Nghị định
/// 30/2020 writes a day below 10 and the months 1 and 2 with a leading zero.
pub fn date_vi(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let month = if d.month() <= 2 {
        format!("{:02}", d.month())
    } else {
        d.month().to_string()
    };
    format!("ngày {:02} tháng {month} năm {}", d.day(), d.year())
}

/// A parent figure in the text: "99,62%", "86,02/100", "3.090", "Tốt".
fn figure(v: &Value, metric: &crate::model::Metric) -> String {
    match (v, metric.kind, metric.max) {
        (Value::Num(x), MetricKind::Points, Some(max)) => {
            format!("{}/{}", text::format_vi(*x, 2), text::format_vi(max, 2))
        }
        _ => value_vi(v, metric.kind),
    }
}

/// An annex cell: the shortest decimal, with a comma or (as the portal
/// prints) a dot; whole counts without grouping ("3090"), labels as stored.
pub fn annex_value(v: &Value, dot: bool) -> String {
    match v {
        Value::Num(x) => {
            let s = format!("{x}");
            if dot { s } else { s.replace('.', ",") }
        }
        Value::Label(l) => l.clone(),
    }
}

/// "xã Bình Kiều", "các xã Bình Kiều, Đông Kết và thị trấn Khoái Châu":
/// units named by kind, as a letter names several.
fn phrase_list(units: &[&Unit]) -> String {
    let mut groups: Vec<(UnitKind, Vec<&str>)> = Vec::new();
    for u in units {
        // An agency's name is its phrase: "Sở Xây dựng".
        let bare = if u.kind == UnitKind::CoQuan {
            u.name.as_str()
        } else {
            UnitKind::split_prefix(&u.name).1
        };
        match groups.iter_mut().find(|(k, _)| *k == u.kind) {
            Some((_, names)) => names.push(bare),
            None => groups.push((u.kind, vec![bare])),
        }
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|(k, names)| {
            if *k == UnitKind::CoQuan {
                return names.join(", ");
            }
            let kind = k.prefix().to_lowercase();
            match names.as_slice() {
                [one] => format!("{kind} {one}"),
                many => format!("các {kind} {}", many.join(", ")),
            }
        })
        .collect();
    match parts.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} và {last}", init.join(", ")),
    }
}

/// "các xã nêu trên", "các xã, thị trấn nêu trên", or the one unit.
fn group_phrase(units: &[&Unit]) -> String {
    if let [one] = units {
        return unit_phrase(one);
    }
    let owned: Vec<Unit> = units.iter().map(|u| (*u).clone()).collect();
    format!("các {} nêu trên", render::kinds_word(&owned))
}

/// Placeholders whose value differs from unit to unit.
const PER_UNIT: [&str; 4] = ["{value}", "{previous}", "{reference}", "{metric}"];

/// A rule's directive addressed to all its units at once: the template
/// with `{unit}` as the group and any "(…)" holding a per-unit value left
/// out. None when a per-unit value is not in brackets (then each unit's
/// own directive is used).
fn group_directive(rule: &Rule, group: &str, period: Period, parent: &str) -> Option<String> {
    let mut t = String::new();
    let mut rest = rule.directive.as_str();
    while let Some(open) = rest.find(" (").or_else(|| rest.find('(')) {
        let close = rest[open..].find(')').map(|c| open + c)?;
        let inner = &rest[open..=close];
        t.push_str(&rest[..open]);
        if !PER_UNIT.iter().any(|p| inner.contains(p)) {
            t.push_str(inner);
        }
        rest = &rest[close + 1..];
    }
    t.push_str(rest);
    // missing_data names the metrics unit by unit; the group lacks "some".
    let t = t.replace("{metric}", "còn thiếu");
    if PER_UNIT.iter().any(|p| t.contains(p)) {
        return None;
    }
    let vars = [
        ("unit", group.to_owned()),
        ("month", period.label_vi()),
        ("previous_month", period.previous().label_vi()),
        ("next_month", period.next().label_vi()),
        ("parent", parent.to_owned()),
        (
            "threshold",
            rule.threshold
                .map(|x| text::format_vi(x, 2))
                .unwrap_or_default(),
        ),
        (
            "upper",
            rule.upper
                .map(|x| text::format_vi(x, 2))
                .unwrap_or_default(),
        ),
        ("label", rule.label.clone().unwrap_or_default()),
    ];
    Some(render::fill(&t, &vars))
}

/// "Bình Minh 40,7% (tháng 7: 42,3%)": a unit and its figure in a rule's list.
fn item(f: &Findings, x: &Finding, rule: &Rule, period: Period) -> String {
    let Some(cat) = &f.context.catalog else {
        return x.unit.clone();
    };
    let kind = cat.metrics[x.hit.metric].kind;
    let show = |v: &Option<Value>| v.as_ref().map(|v| value_vi(v, kind)).unwrap_or_default();
    match rule.kind {
        RuleKind::Drop => format!(
            "{} {} (tháng {}: {})",
            x.unit,
            show(&x.hit.value),
            period.previous().month,
            show(&x.hit.previous)
        ),
        RuleKind::Missing => x.unit.clone(),
        // A rating after a name would read as part of it.
        RuleKind::LabelWorse => format!("{} ({})", x.unit, show(&x.hit.value)),
        _ => format!("{} {}", x.unit, show(&x.hit.value)),
    }
}

/// "tỷ lệ mức độ hài lòng": a metric's label inside a sentence.
fn metric_words(label: &str) -> String {
    let bare = label.trim_end_matches(" (%)").trim_end_matches('%').trim();
    let mut c = bare.chars();
    c.next()
        .map(|f| f.to_lowercase().chain(c).collect())
        .unwrap_or_default()
}

/// One bullet per rule that fired, in rule order: the count and the units
/// with their figures, what they must do, and who answers for it. With
/// `group`, only that group's units, counted against the group's units
/// of the month ("2/6 cơ quan …"), and agencies addressed as agencies.
fn directives(
    f: &Findings,
    period: Period,
    parent: &str,
    accountability: &str,
    group: Option<Group>,
) -> Vec<Block> {
    let agency = group == Some(Group::CoQuan);
    let word = |t: &str| {
        if agency { for_agency(t) } else { t.to_owned() }
    };
    let mut out = Vec::new();
    for s in &f.summary {
        let Some(rule) = f.context.rules.iter().find(|r| r.code == s.rule) else {
            continue;
        };
        let list: Vec<&Finding> = f
            .findings
            .iter()
            .filter(|x| x.rule == rule.code && group.is_none_or(|g| x.group == g))
            .collect();
        if list.is_empty() {
            continue;
        }
        let units: Vec<&Unit> = {
            let mut ids: Vec<i64> = Vec::new();
            for x in &list {
                if !ids.contains(&x.unit_id) {
                    ids.push(x.unit_id);
                }
            }
            ids.iter()
                .filter_map(|id| f.context.units.iter().find(|u| u.id == *id))
                .collect()
        };
        let items: Vec<String> = if rule.kind == RuleKind::Missing {
            // One unit, every metric it lacks.
            units
                .iter()
                .map(|u| {
                    let lacks: Vec<String> = list
                        .iter()
                        .filter(|x| x.unit_id == u.id)
                        .filter_map(|x| {
                            f.context
                                .catalog
                                .as_ref()
                                .map(|c| metric_words(&c.metrics[x.hit.metric].label))
                        })
                        .collect();
                    format!("{} (thiếu {})", u.name, lacks.join(", "))
                })
                .collect()
        } else {
            list.iter().map(|x| item(f, x, rule, period)).collect()
        };
        // A group's sentence counts that group: the rule as if for it.
        let (counted, count) = match group {
            Some(g) => (
                Rule {
                    group: Some(g),
                    ..rule.clone()
                },
                units.len(),
            ),
            None => (rule.clone(), s.count),
        };
        let mut text = format!(
            "{}: {}.",
            render::sentence(f, &counted, count),
            items.join(", ")
        );
        let worded = Rule {
            directive: word(&rule.directive),
            ..rule.clone()
        };
        // Each unit's own directive already ends with who answers for it.
        let mut answered = false;
        match group_directive(&worded, &group_phrase(&units), period, parent) {
            Some(d) => {
                text.push(' ');
                text.push_str(&crate::text::capitalize(&d));
            }
            None => {
                for x in &list {
                    text.push(' ');
                    text.push_str(&x.directive);
                }
                answered = true;
            }
        }
        let escalated: Vec<&Unit> = units
            .iter()
            .copied()
            .filter(|u| list.iter().any(|x| x.unit_id == u.id && x.escalated))
            .collect();
        if !answered && !escalated.is_empty() && !accountability.is_empty() {
            let names = phrase_list(&escalated);
            let as_rule = Rule {
                directive: word(accountability),
                ..rule.clone()
            };
            match group_directive(&as_rule, &names, period, parent) {
                Some(a) => {
                    text.push(' ');
                    text.push_str(&crate::text::capitalize(&a));
                }
                // A per-unit figure outside brackets: each unit's own.
                None => {
                    for x in list.iter().filter(|x| x.escalated) {
                        text.push(' ');
                        text.push_str(x.directive.rsplit(". ").next().unwrap_or_default());
                    }
                }
            }
        }
        out.push(Block::Bullet(text));
    }
    // Only when every rule judged every unit (of the group): a month where
    // some could not be judged never claims that none needs directives.
    let (none, kinds) = match group {
        None => (
            f.findings.is_empty() && f.not_evaluated.is_empty(),
            f.context.kinds_word.clone(),
        ),
        Some(g) => {
            let mine = f.context.units_of(g);
            let judged = !f
                .not_evaluated
                .iter()
                .any(|n| f.context.concerns(n, g, &mine));
            (out.is_empty() && judged, render::kinds_word(&mine))
        }
    };
    if none {
        out.push(Block::Bullet(format!(
            "Trong {}, không có {} nào thuộc diện phải chỉ đạo khắc phục theo các tiêu chí đang áp dụng.",
            period.label_vi(),
            kinds
        )));
    }
    out
}

/// "I", "IV", "XII": an annex's number when a letter has several.
pub fn roman(mut n: usize) -> String {
    const DIGITS: [(usize, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (value, digits) in DIGITS {
        while n >= value {
            out.push_str(digits);
            n -= value;
        }
    }
    out
}

/// "A", "A và B", "A, B và C".
fn join_and<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_owned(),
        [init @ .., last] => format!(
            "{} và {}",
            init.iter()
                .map(|s| s.as_ref())
                .collect::<Vec<_>>()
                .join(", "),
            last.as_ref()
        ),
    }
}

/// Annexes as the text refers to them: "Phụ lục I", "Phụ lục I và Phụ
/// lục II", "từ Phụ lục I đến Phụ lục IV".
fn refs(titles: &[&str]) -> String {
    match titles {
        [first, _, _, ..] => format!("từ {first} đến {}", titles[titles.len() - 1]),
        _ => join_and(titles),
    }
}

/// The annexes of a letter as a message names them: "Phụ lục 1 và 2",
/// "Phụ lục I, II, III và IV".
pub fn annex_list(annexes: &[Annex]) -> String {
    let numbers: Vec<&str> = annexes
        .iter()
        .map(|a| a.title.strip_prefix("Phụ lục ").unwrap_or(&a.title))
        .collect();
    format!("Phụ lục {}", join_and(&numbers))
}

/// A group as the text names it: "các cơ quan cấp tỉnh", "UBND các
/// huyện, thành phố", "UBND các xã, phường" (the kinds it has that month).
fn group_noun(g: Group, units: &[Unit]) -> String {
    match g {
        Group::CoQuan => "các cơ quan cấp tỉnh".into(),
        Group::Huyen | Group::Xa => format!("UBND các {}", render::kinds_word(units)),
    }
}

/// A group's line of "Kính gửi" when the setting has none for it.
fn default_recipient(g: Group, units: &[Unit]) -> String {
    match g {
        Group::CoQuan => "Giám đốc các sở, Thủ trưởng các ban, ngành tỉnh".into(),
        Group::Huyen => "Chủ tịch UBND các huyện, thị xã, thành phố".into(),
        Group::Xa => {
            let mut s = "Chủ tịch UBND các xã, phường".to_owned();
            for (kind, word) in [
                (UnitKind::ThiTran, ", thị trấn"),
                (UnitKind::DacKhu, ", đặc khu"),
            ] {
                if units.iter().any(|u| u.kind == kind) {
                    s.push_str(word);
                }
            }
            s
        }
    }
}

/// The group a line of "Kính gửi" speaks to as a whole, by its words:
/// "… các sở …" agencies, "… các huyện …" districts, "… các xã, phường"
/// communes; None for any other, such as a line to one unit ("Giám đốc
/// Bảo hiểm xã hội tỉnh"), which is kept as it is.
fn recipient_group(line: &str) -> Option<Group> {
    let folded: String = text::fold(line)
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let s = format!(
        " {} ",
        folded.split_whitespace().collect::<Vec<_>>().join(" ")
    )
    // An agency, whatever its name holds.
    .replace(" bao hiem xa hoi ", " bhxh ");
    let has = |w: &str| s.contains(&format!(" {w} "));
    if !has("cac") {
        None
    } else if has("huyen") || has("thi xa") || has("thanh pho") || (has("quan") && !has("co quan"))
    {
        Some(Group::Huyen)
    } else if has("xa") || has("phuong") || has("thi tran") || has("dac khu") {
        Some(Group::Xa)
    } else if ["so", "ban", "nganh", "co quan"].iter().any(|w| has(w)) {
        Some(Group::CoQuan)
    } else {
        None
    }
}

/// "Kính gửi" of a province's letter: one line per group of the month,
/// in the groups' order, the setting's own lines where it has some for
/// the group (lines for a group the month does not have are left out),
/// the default otherwise; then the setting's other lines.
fn group_recipients(setting: &[String], groups: &[Group], units: &[Unit]) -> Vec<String> {
    let mut out = Vec::new();
    for &g in groups {
        let mine: Vec<String> = setting
            .iter()
            .filter(|l| recipient_group(l) == Some(g))
            .cloned()
            .collect();
        if mine.is_empty() {
            let of_g: Vec<Unit> = units.iter().filter(|u| u.group() == g).cloned().collect();
            out.push(default_recipient(g, &of_g));
        } else {
            out.extend(mine);
        }
    }
    out.extend(
        setting
            .iter()
            .filter(|l| recipient_group(l).is_none())
            .cloned(),
    );
    out
}

/// The one sentence on the units formed or changed this month, which no
/// rule could compare with the month before: "Xã Giả Lập Bắc, … và Xã
/// Tân Hưng mới thành lập từ tháng 7/2025 trên cơ sở sắp xếp các đơn vị
/// cũ nên chưa so sánh được tỷ lệ số hoá với tháng 6/2025." None when
/// there are none.
fn not_comparable(f: &Findings, period: Period) -> Option<String> {
    let entries: Vec<(&str, &str, &str)> = f
        .not_evaluated
        .iter()
        .filter_map(|n| Some((n.unit.as_deref()?, n.reason.as_str(), n.rule.as_str())))
        .collect();
    if entries.is_empty() {
        return None;
    }
    // Each unit once, in the groups' order, then the month's.
    let position = |name: &str| {
        f.context
            .units
            .iter()
            .position(|u| u.name == name)
            .map_or((Group::Xa, usize::MAX), |i| (f.context.units[i].group(), i))
    };
    let mut units: Vec<(&str, &str)> = Vec::new();
    for (name, reason, _) in &entries {
        if !units.iter().any(|(n, _)| n == name) {
            units.push((name, reason));
        }
    }
    units.sort_by_key(|(name, _)| position(name));
    // "thành lập từ tháng 7/2025 trên cơ sở Xã Thủ Sỹ, …" → "mới thành
    // lập từ tháng 7/2025 trên cơ sở sắp xếp các đơn vị cũ".
    let clause = |reason: &str| -> String {
        if let Some(rest) = reason.strip_prefix("thành lập từ ") {
            match rest.split_once(" trên cơ sở ") {
                Some((when, _)) => {
                    format!("mới thành lập từ {when} trên cơ sở sắp xếp các đơn vị cũ")
                }
                None => format!("mới thành lập từ {rest}"),
            }
        } else {
            reason
                .split(", không so sánh được")
                .next()
                .unwrap_or(reason)
                .to_owned()
        }
    };
    let mut clauses: Vec<(String, Vec<&str>)> = Vec::new();
    for (name, reason) in units {
        let c = clause(reason);
        match clauses.iter_mut().find(|(k, _)| *k == c) {
            Some((_, names)) => names.push(name),
            None => clauses.push((c, vec![name])),
        }
    }
    // What could not be compared: the rules' metrics.
    let mut metrics: Vec<String> = Vec::new();
    for (_, _, rule) in &entries {
        let label = f
            .context
            .rules
            .iter()
            .find(|r| r.code == *rule)
            .and_then(|r| r.metric.as_deref())
            .zip(f.context.catalog.as_ref())
            .and_then(|(code, cat)| cat.index_of(code).map(|m| cat.metrics[m].label.clone()));
        if let Some(words) = label.map(|l| metric_words(&l))
            && !metrics.contains(&words)
        {
            metrics.push(words);
        }
    }
    let parts: Vec<String> = clauses
        .iter()
        .map(|(c, names)| format!("{} {c}", join_and(names)))
        .collect();
    let what = if metrics.is_empty() {
        String::new()
    } else {
        format!("{} ", join_and(&metrics))
    };
    Some(format!(
        "{} nên chưa so sánh được {what}với {}.",
        parts.join("; "),
        period.previous().label_vi()
    ))
}

/// A directive template as an agency reads it (as `rules::render` words
/// an agency's own directive): its head is its Thủ trưởng, not a
/// People's Committee's chairman.
fn for_agency(template: &str) -> String {
    template
        .replace("Chủ tịch UBND {unit}", "Thủ trưởng {unit}")
        .replace("UBND {unit}", "{unit}")
}
