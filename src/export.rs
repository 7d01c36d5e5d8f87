//! A period's values (a month, a quarter, a year) out as CSV, TSV, JSON or
//! XLSX. Every format reads back with `chiso import` to the same values (a
//! tested round trip).

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format as XFormat, Workbook};

use crate::db::values::{MonthRow, MonthTable};
use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};

use crate::model::{JsonValue, Metric, Period, Value};
use crate::output::text_cell;

mod annex_layout;
mod annexes;
pub use annexes::annexes_xlsx;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Tsv,
    Json,
    Xlsx,
}

/// Header of the unit column, as the seed's annexes write it.
pub const UNIT_HEADER: &str = "Đơn vị";
pub const ORDINAL_HEADER: &str = "STT";

pub fn render(
    table: &MonthTable,
    parent_name: &str,
    format: ExportFormat,
) -> anyhow::Result<Vec<u8>> {
    Ok(match format {
        ExportFormat::Csv => delimited(table, b',')?,
        ExportFormat::Tsv => delimited(table, b'\t')?,
        ExportFormat::Json => {
            let mut out = Vec::with_capacity(160 * (table.units.len() + 2));
            serde_json::to_writer_pretty(&mut out, &Doc { table, parent_name })?;
            out.push(b'\n');
            out
        }
        ExportFormat::Xlsx => xlsx(table, parent_name)?,
    })
}

fn cell_text(v: &Option<Value>) -> String {
    v.as_ref().map(Value::plain).unwrap_or_default()
}

/// Rows with the parent first (no ordinal), then the units numbered from 1.
fn rows(table: &MonthTable) -> impl Iterator<Item = (Option<usize>, &MonthRow)> {
    table.parent.iter().map(|p| (None, p)).chain(
        table
            .units
            .iter()
            .enumerate()
            .map(|(i, r)| (Some(i + 1), r)),
    )
}

/// A value as a CSV or TSV cell: numbers as they are ("-5" is a number),
/// labels as text cells (see `output::text_cell`).
fn delimited_cell(v: &Option<Value>) -> String {
    match v {
        Some(Value::Label(s)) => text_cell(s).into_owned(),
        _ => cell_text(v),
    }
}

/// Text cells (header, names, labels) go through `output::text_cell`:
/// no control character reaches a terminal that prints the file, no
/// name that starts like a formula runs as one in a spreadsheet.
fn delimited(table: &MonthTable, delimiter: u8) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::with_capacity(64 * (table.units.len() + 2)));
    let mut header = vec![ORDINAL_HEADER.to_owned(), UNIT_HEADER.to_owned()];
    header.extend(
        table
            .metrics
            .iter()
            .map(|m| text_cell(&m.label).into_owned()),
    );
    w.write_record(&header)?;
    let mut record: Vec<String> = Vec::with_capacity(header.len());
    for (ordinal, row) in rows(table) {
        record.clear();
        record.push(ordinal.map(|n| n.to_string()).unwrap_or_default());
        record.push(text_cell(&row.unit.name).into_owned());
        record.extend(row.values.iter().map(delimited_cell));
        w.write_record(&record)?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

/// A row's present values as a JSON object: numbers as numbers, counts as
/// integers, labels as strings, absent metrics left out.
struct ValuesOut<'a> {
    metrics: &'a [Metric],
    values: &'a [Option<Value>],
}

impl Serialize for ValuesOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let present = self.values.iter().filter(|v| v.is_some()).count();
        let mut map = s.serialize_map(Some(present))?;
        for (m, v) in self.metrics.iter().zip(self.values) {
            if let Some(v) = v {
                map.serialize_entry(&m.code, &JsonValue(v, m.kind))?;
            }
        }
        map.end()
    }
}

#[derive(Serialize)]
struct ParentOut<'a> {
    name: &'a str,
    values: ValuesOut<'a>,
}

#[derive(Serialize)]
struct UnitOut<'a> {
    name: &'a str,
    kind: &'a str,
    group: &'a str,
    values: ValuesOut<'a>,
}

/// The whole document, serialized straight from the table: a national
/// month never exists twice in memory.
struct Doc<'a> {
    table: &'a MonthTable,
    parent_name: &'a str,
}

impl<'a> Serialize for Doc<'a> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let t = self.table;
        let values = |row: &'a MonthRow| ValuesOut {
            metrics: &t.metrics,
            values: &row.values,
        };
        let mut doc = s.serialize_struct("Doc", 3)?;
        doc.serialize_field("period", &t.period)?;
        let parent_values = match &t.parent {
            Some(row) => values(row),
            None => ValuesOut {
                metrics: &t.metrics,
                values: &[],
            },
        };
        doc.serialize_field(
            "parent",
            &ParentOut {
                name: self.parent_name,
                values: parent_values,
            },
        )?;
        let units = t.units.iter().map(|r| UnitOut {
            name: &r.unit.name,
            kind: r.unit.kind.code(),
            group: r.unit.group().code(),
            values: values(r),
        });
        doc.serialize_field("units", &SeqOut(std::cell::RefCell::new(Some(units))))?;
        doc.end()
    }
}

/// Serializes an iterator as a JSON array without collecting it.
struct SeqOut<I>(std::cell::RefCell<Option<I>>);

impl<I: Iterator<Item = T>, T: Serialize> Serialize for SeqOut<I> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.borrow_mut().take().into_iter().flatten())
    }
}

fn xlsx(table: &MonthTable, parent_name: &str) -> anyhow::Result<Vec<u8>> {
    let mut book = Workbook::new();
    // A fixed creation date (the period's first day) keeps exports of the
    // same data byte-identical.
    let period = Period::parse(&table.period);
    let (year, month) = period.map_or((2000, 1), |p| p.first_month().year_month());
    let created = ExcelDateTime::from_ymd(year, month, 1)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let sheet = book.add_worksheet();
    sheet.set_name(table.period.as_str())?;
    let bold = XFormat::new().set_bold();
    let wrap = XFormat::new()
        .set_bold()
        .set_text_wrap()
        .set_border(rust_xlsxwriter::FormatBorder::Thin);
    let cell = XFormat::new().set_border(rust_xlsxwriter::FormatBorder::Thin);
    // The title states the period as import reads it back: "tháng 8/2024",
    // "quý III/2025", "năm 2025" (a year after "Kết quả").
    let title = format!(
        "Kết quả Bộ chỉ số phục vụ người dân, doanh nghiệp {} - {}",
        period.map_or_else(|| table.period.clone(), Period::label_vi),
        parent_name
    );
    sheet.write_string_with_format(0, 0, &title, &bold)?;
    let header_row = 2;
    sheet.write_string_with_format(header_row, 0, ORDINAL_HEADER, &wrap)?;
    sheet.write_string_with_format(header_row, 1, UNIT_HEADER, &wrap)?;
    sheet.set_column_width(0, 5)?;
    sheet.set_column_width(1, 28)?;
    for (c, m) in table.metrics.iter().enumerate() {
        let col = c as u16 + 2;
        sheet.write_string_with_format(header_row, col, &m.label, &wrap)?;
        sheet.set_column_width(col, 16)?;
    }
    for (i, (ordinal, row)) in rows(table).enumerate() {
        let r = header_row + 1 + i as u32;
        match ordinal {
            Some(n) => sheet.write_number_with_format(r, 0, n as f64, &cell)?,
            None => sheet.write_blank(r, 0, &cell)?,
        };
        // write_string never makes a formula: "=…" names stay text.
        sheet.write_string_with_format(r, 1, &row.unit.name, &cell)?;
        for (c, v) in row.values.iter().enumerate() {
            let col = c as u16 + 2;
            match v {
                Some(Value::Num(x)) => sheet.write_number_with_format(r, col, *x, &cell)?,
                Some(Value::Label(s)) => sheet.write_string_with_format(r, col, s, &cell)?,
                None => sheet.write_blank(r, col, &cell)?,
            };
        }
    }
    sheet.set_freeze_panes(header_row + 1, 2)?;
    Ok(book.save_to_buffer()?)
}
