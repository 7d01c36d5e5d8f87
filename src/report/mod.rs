//! The công văn of a month, a quarter or a year: the letter and its
//! annexes, built from one read of the database (the period's values and
//! its findings in the same transaction), so every figure in the text is
//! the figure in the annex. A quarter's or a year's letter adds the
//! parent's figures against the same period a year before and the units
//! on its months' lists in most months. `Letter` is plain data;
//! `markdown`, `plain` and `docx` lay it out.

mod annexes;
mod columns;
mod directives;
pub mod docx;
pub mod markdown;
mod months;
pub mod plain;
mod recipients;
mod words;
mod year_before;

use rusqlite::Connection;

use crate::db::{self, Catalog};
use crate::model::{Group, Period, Unit, UnitKind, Value};
use crate::rules::months_on_list::{self, MonthsOnList};
use crate::rules::render::{self, unit_phrase};
use crate::rules::{self, Findings, RuleError};

pub use columns::ColumnKind;
use directives::{directives, not_comparable};
pub use months::most_months;
use recipients::{group_noun, group_recipients};
pub use words::{annex_list, annex_value, date_vi, roman};
use words::{figure, join_and, refs};

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

/// The seed's standing directive, tied to no rule (setting
/// `standing_directives`).
pub const STANDING: &str = "Tuyên truyền, hướng dẫn người dân và doanh nghiệp khai thác, sử dụng lại thông tin, dữ liệu đã được số hoá từ kết quả hồ sơ TTHC trước đó (nếu có) để sử dụng khi thực hiện TTHC tiếp theo.";

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
    /// A quarter's or a year's months on the list (None for a month).
    pub months_on_list: Option<MonthsOnList>,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// The letter's date; None leaves "ngày … tháng … năm" to fill in.
    pub date: Option<chrono::NaiveDate>,
}

/// Builds the letter for `period` from one consistent read.
pub fn build(conn: &Connection, period: Period, opts: Options) -> Result<Report, RuleError> {
    db::in_one_read(conn, || build_in(conn, period, opts))
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
            let next = period.last_month().next();
            let first_after = chrono::NaiveDate::from_ymd_opt(
                next.year().into(),
                next.month_number().unwrap_or(1).into(),
                1,
            );
            if first_after.is_some_and(|f| d < f) {
                let word = period.kind().word_vi();
                warnings.push(format!(
                    "ngày ký {d} còn trong {month}: kết quả một {word} thường công bố từ {word} sau"
                ));
            }
            date_vi(d)
        }
        None => format!("ngày … tháng … năm {}", period.last_month().next().year()),
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
    let tables = annexes::Annexes {
        table: &table,
        cat: &cat,
        order,
        note,
        dot: decimal_dot,
    };
    let caption_1 = |whom: &str| {
        format!(
            "Một số tiêu chí thành phần trong bộ chỉ số phục vụ người dân, doanh nghiệp của {whom} {month}"
        )
    };
    let caption_2 =
        |whom: &str| format!("Các chỉ tiêu chỉ phát sinh hoặc thống kê được của {whom} {month}");
    let mut annexes: Vec<Annex> = if grouped {
        // Two tables per group, as the seed's: numbered I, II, III … in the
        // order of the groups.
        let mut v = Vec::new();
        for (&g, noun) in groups.iter().zip(&nouns) {
            for (caption, codes) in [(caption_1(noun), &ANNEX_1[..]), (caption_2(noun), &ANNEX_2)] {
                let title = format!("Phụ lục {}", roman(v.len() + 1));
                v.push(tables.figures(title, Some(g), caption, codes));
            }
        }
        v
    } else {
        let whom = format!("UBND các {kinds}");
        vec![
            tables.figures("Phụ lục I".into(), None, caption_1(&whom), &ANNEX_1),
            tables.figures("Phụ lục II".into(), None, caption_2(&whom), &ANNEX_2),
        ]
    };
    // The list of every unit that needs directives, whenever a rule fired:
    // the text names the worst few and refers to it for the rest.
    let list_title = (!findings.findings.is_empty()).then(|| {
        let title = format!("Phụ lục {}", roman(annexes.len() + 1));
        annexes.push(tables.findings(title.clone(), &findings, grouped));
        title
    });
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
                    words::metric_words(&metric.label),
                    parent.as_ref().map_or("", |p| p.name.as_str())
                ));
                "chưa có số liệu".into()
            }
        };
        body.push(Block::Bullet(format!(
            "{}: {shown}",
            words::letter_label(&metric.label)
        )));
    }
    // A quarter's or a year's parent figures against the same period a
    // year before (a month's letter compares with none, as the seed's).
    if !period.is_month() {
        let before = period.year_before();
        let then = match &parent {
            Some(p) => db::values::load_one(conn, before, p.id, &cat)?,
            None => None,
        };
        let now = table.current.parent.as_deref();
        match year_before::paragraph(&cat, &PARENT_METRICS, period, now, then.as_deref()) {
            Some(p) => body.push(Block::Para(p)),
            // Said in the letter by nothing: the operator is told why.
            None if then.is_none() => warnings.push(format!(
                "{parent_phrase} chưa có số liệu {}: công văn không so sánh với cùng kỳ",
                before.label_vi()
            )),
            None => warnings.push(format!(
                "{parent_phrase} không có chỉ số nào có số liệu cả {} và {}: công văn không so sánh với cùng kỳ",
                before.label_vi(),
                month
            )),
        }
    }
    // The figures' annexes (the list of units needing directives is
    // referred to with the directives).
    let figures: Vec<&str> = annexes
        .iter()
        .filter(|a| Some(&a.title) != list_title.as_ref())
        .map(|a| a.title.as_str())
        .collect();
    let of_whom = if grouped {
        join_and(&nouns)
    } else {
        format!("UBND các {kinds}")
    };
    body.push(Block::Heading(format!(
        "2. Các chỉ tiêu chỉ phát sinh hoặc thống kê được của {of_whom} {month} ({} kèm theo).",
        refs(&figures)
    )));
    // Units formed or changed this month: said once, with why.
    if let Some(s) = not_comparable(&findings, period) {
        body.push(Block::Para(s));
    }
    let accountability = db::settings::get(conn, "accountability")?.unwrap_or_default();
    let max_named = setting(conn, "max_named")?
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(10);
    // A quarter's or a year's months: who was on their lists most months.
    let months_on_list = if period.is_month() {
        None
    } else {
        let m = months_on_list::months_on_list(conn, period)?;
        if m.months.is_empty() {
            warnings.push(format!(
                "{month} chưa có số liệu tháng nào: công văn không có phần kết quả từng tháng"
            ));
        }
        body.extend(months::blocks(&m, max_named));
        Some(m)
    };
    let asker = match setting(conn, "directive_subject")? {
        Some(s) if s.trim() == "-" => None,
        Some(s) => Some(s),
        None => Some(format!("Chủ tịch UBND {level}")),
    };
    let wording = directives::Wording {
        period,
        parent: &parent_phrase,
        accountability: &accountability,
        max_named,
        list: list_title.as_deref(),
        subject: asker.as_deref(),
    };
    // The office's standing directives open the list, as the seed's does.
    let mut tasks: Vec<Block> = match setting(conn, "standing_directives")? {
        Some(s) if s.trim() == "-" => Vec::new(),
        Some(_) => list_setting(conn, "standing_directives")?
            .unwrap_or_default()
            .into_iter()
            .map(Block::Bullet)
            .collect(),
        None => vec![Block::Bullet(STANDING.into())],
    };
    if grouped {
        let mut letter = 'a';
        for &g in &groups {
            let blocks = directives(&findings, &wording, Some(g));
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
    } else {
        tasks.extend(directives(&findings, &wording, None));
    }
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
        let list = list_title
            .as_ref()
            .map(|t| format!(" (danh sách đơn vị cần chỉ đạo khắc phục tại {t})"))
            .unwrap_or_default();
        body.push(Block::Para(format!(
            "{intro}, trong đó đặc biệt tăng cường các nhiệm vụ sau{list}:"
        )));
        body.extend(tasks);
    }
    // Units the letter names as not comparable are in the text itself.
    for n in findings.not_evaluated.iter().filter(|n| n.unit.is_none()) {
        // The rule by its name, its code after it for `rules set`.
        let name = findings
            .context
            .rules
            .iter()
            .find(|r| r.code == n.rule)
            .map_or_else(|| n.rule.clone(), crate::names::rule_label_vi);
        warnings.push(format!(
            "quy tắc \"{name}\" ({}) không xét được ({}): không có trong công văn",
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
        months_on_list,
    })
}
