//! The monthly công văn: the letter and its two annexes, built from one
//! read of the database (the month's values and its findings in the same
//! transaction), so every figure in the text is the figure in the annex.
//! `Letter` is plain data; `markdown`, `plain` and `docx` lay it out.

pub mod docx;
pub mod markdown;
pub mod plain;

use rusqlite::Connection;

use crate::db::{self, Catalog};
use crate::model::{MetricKind, Period, Unit, UnitKind, Value};
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
    Bullet(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Annex {
    /// "Phụ lục 1"
    pub title: String,
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
}

pub const QUOC_HIEU: &str = "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM";
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
            use chrono::Datelike;
            let next = period.next();
            let first_after =
                chrono::NaiveDate::from_ymd_opt(next.year.into(), next.month.into(), 1);
            if first_after.is_some_and(|f| d < f) {
                warnings.push(format!(
                    "ngày ký {d} còn trong {month}: kết quả một tháng thường công bố từ tháng sau"
                ));
            }
            format!("ngày {} tháng {} năm {}", d.day(), d.month(), d.year())
        }
        None => format!("ngày … tháng … năm {}", period.next().year),
    };
    let place_date = format!("{place}, {date}");
    let recipients = list_setting(conn, "recipients")?.unwrap_or_else(|| {
        vec![
            "Thủ trưởng các cơ quan, đơn vị".into(),
            format!("Chủ tịch UBND các {kinds}"),
        ]
    });
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

    let mut body = vec![
        Block::Para(format!(
            "Thực hiện {source} về việc công bố kết quả đánh giá Bộ chỉ số phục vụ người dân, doanh nghiệp trong thực hiện TTHC, cung cấp dịch vụ công {month}."
        )),
        Block::Para(format!(
            "Trên cơ sở kết quả đồng bộ công khai trên Cổng Dịch vụ công quốc gia tại địa chỉ https://quantri.dichvucong.gov.vn/, {publisher} công bố kết quả đánh giá Bộ chỉ số phục vụ người dân, doanh nghiệp trong thực hiện TTHC, cung cấp dịch vụ công {month} của {level} và các {kinds} như sau:"
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
    body.push(Block::Heading(format!(
        "2. Các chỉ tiêu chỉ phát sinh hoặc thống kê được của UBND các {kinds} {month}. (có phụ lục kèm theo)"
    )));
    let accountability = db::settings::get(conn, "accountability")?.unwrap_or_default();
    let tasks = directives(&findings, period, &parent_phrase, &accountability);
    let intro = format!(
        "Căn cứ kết quả nêu trên, {publisher} đề nghị các cơ quan, đơn vị; UBND các {kinds} tiếp tục đẩy mạnh các giải pháp cải cách và nâng cao hiệu quả giải quyết TTHC, cung cấp dịch vụ công; tiến hành rà soát, tăng cường chỉ đạo đẩy mạnh triển khai thực hiện các nhiệm vụ để nâng cao điểm số cũng như tỷ lệ các nhóm chỉ số đang ở mức thấp, duy trì và phát huy hơn nữa các chỉ số đang ở mức tốt"
    );
    if tasks.is_empty() {
        body.push(Block::Para(format!("{intro}.")));
    } else {
        body.push(Block::Para(format!(
            "{intro}, trong đó đặc biệt tăng cường các nhiệm vụ sau:"
        )));
        body.extend(tasks);
    }
    for n in &findings.not_evaluated {
        warnings.push(format!(
            "quy tắc {} không xét được ({}): không có trong công văn",
            n.rule, n.reason
        ));
    }
    let own_site = match kinds.split(", ").collect::<Vec<_>>().as_slice() {
        [one] => (*one).to_owned(),
        _ => "mình".to_owned(),
    };
    let publication = setting(conn, "publication")?.unwrap_or_else(|| {
        if province {
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
    let annex = |title: &str, caption: String, codes: &[&str]| {
        let metrics: Vec<usize> = codes.iter().filter_map(|c| cat.index_of(c)).collect();
        Annex {
            title: title.into(),
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
    let annexes = vec![
        annex(
            "Phụ lục 1",
            format!(
                "Một số tiêu chí thành phần trong bộ chỉ số phục vụ người dân, doanh nghiệp của UBND các {kinds} {month}"
            ),
            &ANNEX_1,
        ),
        annex(
            "Phụ lục 2",
            format!("Các chỉ tiêu chỉ phát sinh hoặc thống kê được của UBND các {kinds} {month}"),
            &ANNEX_2,
        ),
    ];
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
        },
        warnings,
        findings,
    })
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
        let bare = UnitKind::split_prefix(&u.name).1;
        match groups.iter_mut().find(|(k, _)| *k == u.kind) {
            Some((_, names)) => names.push(bare),
            None => groups.push((u.kind, vec![bare])),
        }
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|(k, names)| {
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
/// with their figures, what they must do, and who answers for it.
fn directives(f: &Findings, period: Period, parent: &str, accountability: &str) -> Vec<Block> {
    let mut out = Vec::new();
    for s in &f.summary {
        let Some(rule) = f.context.rules.iter().find(|r| r.code == s.rule) else {
            continue;
        };
        let list: Vec<&Finding> = f.findings.iter().filter(|x| x.rule == rule.code).collect();
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
        let mut text = format!(
            "{}: {}.",
            render::sentence(f, rule, s.count),
            items.join(", ")
        );
        // Each unit's own directive already ends with who answers for it.
        let mut answered = false;
        match group_directive(rule, &group_phrase(&units), period, parent) {
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
                directive: accountability.to_owned(),
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
    if f.findings.is_empty() && f.not_evaluated.is_empty() {
        out.push(Block::Bullet(format!(
            "Trong {}, không có {} nào thuộc diện phải chỉ đạo khắc phục theo các tiêu chí đang áp dụng.",
            period.label_vi(),
            f.context.kinds_word
        )));
    }
    out
}
