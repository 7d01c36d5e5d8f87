//! The month table: one row per unit, the parent pinned on top, the name
//! column frozen when scrolling sideways, a findings column. A province's
//! month with several groups gets a narrow group column, its rows ordered
//! by group; a unit formed or changed in the period has a mark after its
//! name. The same table shows a quarter or a year.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use crate::model::Value;
use crate::rules::Severity;
use crate::tui::app::{self, App, MonthState, SortCol};
use crate::tui::columns;
use crate::tui::textfit;
use crate::tui::theme::Theme;

const STT_W: u16 = 4;
/// "Vi phạm ▲": the title with its sort mark.
const FINDINGS_W: u16 = 9;
const NAME_MAX: u16 = 24;
/// The group column: "Cơ quan", "Huyện", "Xã".
const GROUP_W: u16 = 7;

/// How the table divides `area`: (body rows, metric columns that fit,
/// name width, metric width). `App::resize` and `draw` both use it.
pub fn layout(area: Rect, app: &App) -> (usize, usize, u16, u16) {
    let metric_w: u16 = if app.change.is_some() { 18 } else { 10 };
    let group_w = if app.group_column() { GROUP_W + 1 } else { 0 };
    let name_w = NAME_MAX
        .min(app.longest_name().max(6) as u16)
        .min(area.width.saturating_sub(STT_W + FINDINGS_W + 3 + group_w) / 2)
        .max(8);
    let fixed = STT_W + 1 + group_w + name_w + 1 + FINDINGS_W;
    let cols = (area.width.saturating_sub(fixed) / (metric_w + 1)).max(1);
    // Less the header and the parent's row.
    let rows = area.height.saturating_sub(2).max(1);
    (rows as usize, cols as usize, name_w, metric_w)
}

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(m) = &app.month else {
        empty(f, area, theme);
        return;
    };
    let (rows, cols, name_w, metric_w) = layout(area, app);
    let grouped = app.group_column();
    let shown: Vec<usize> = m
        .columns
        .iter()
        .copied()
        .skip(app.col_offset)
        .take(cols)
        .collect();
    let n_cols = m.columns.len();

    // Header: the selected column underlined, sort keys marked.
    let sort_mark = |c: SortCol| {
        app.sort.iter().position(|(k, _)| *k == c).map(|i| {
            let arrow = if app.sort[i].1 { "▼" } else { "▲" };
            if i == 0 {
                arrow.to_string()
            } else {
                format!("{arrow}{}", i + 1)
            }
        })
    };
    let head = |title: String, col: usize, sc: SortCol, right: bool, w: u16| {
        let t = match sort_mark(sc) {
            Some(mk) => with_mark(&title, &mk, w as usize),
            None => title,
        };
        let style = if app.col == col {
            theme.selected_column()
        } else {
            theme.header()
        };
        let line = Line::styled(t, style);
        Cell::from(if right { line.right_aligned() } else { line })
    };
    let mut header = vec![Cell::from(
        Line::styled("STT", theme.header()).right_aligned(),
    )];
    if grouped {
        header.push(Cell::from(Line::styled("Nhóm", theme.header())));
    }
    header.push(head("Đơn vị".into(), 0, SortCol::Name, false, name_w));
    for (i, &metric) in shown.iter().enumerate() {
        let col = app.col_offset + i + 1;
        header.push(head(
            columns::title(&app.cat.metrics[metric]),
            col,
            SortCol::Metric(metric),
            true,
            metric_w,
        ));
    }
    header.push(head(
        "Vi phạm".into(),
        n_cols + 1,
        SortCol::Findings,
        false,
        FINDINGS_W,
    ));

    let mut body: Vec<Row> = Vec::with_capacity(rows + 1);
    // The parent, pinned and set apart.
    if let Some(p) = &m.table.parent {
        let row = m.table.current.parent.as_ref();
        let mut cells = vec![Cell::from("")];
        if grouped {
            cells.push(Cell::from(""));
        }
        cells.push(Cell::from(textfit::cut(&p.name, name_w as usize)));
        for &metric in &shown {
            let v = row.and_then(|r| r[metric].as_ref());
            let b = app.change.and_then(|w| m.parent_compared(metric, w));
            cells.push(metric_cell(app, theme, p.id, app.on_parent, metric, || {
                value_cell(app, theme, metric, v, b, None)
            }));
        }
        cells.push(Cell::from(""));
        let row = Row::new(cells).style(theme.parent());
        body.push(if app.on_parent {
            row.style(theme.parent().patch(theme.cursor()))
        } else {
            row
        });
    }
    let end = (app.top + rows).min(m.visible.len());
    for (i, &u) in m.visible[app.top.min(end)..end].iter().enumerate() {
        let pos = app.top + i;
        body.push(unit_row(app, m, theme, u, pos, &shown, name_w as usize));
    }
    let mut widths = vec![Constraint::Length(STT_W)];
    if grouped {
        widths.push(Constraint::Length(GROUP_W));
    }
    widths.push(Constraint::Length(name_w));
    widths.extend(shown.iter().map(|_| Constraint::Length(metric_w)));
    widths.push(Constraint::Length(FINDINGS_W));
    let table = Table::new(body, widths)
        .header(Row::new(header))
        .column_spacing(1);
    f.render_widget(table, area);
}

/// A column's title with its sort mark, within `w` cells: the mark whole,
/// the title shortened first ("Hài lòng ▲", "Số hoá ▲2").
fn with_mark(title: &str, mark: &str, w: usize) -> String {
    let bare = title.strip_suffix(" %").unwrap_or(title);
    [
        format!("{title} {mark}"),
        format!("{bare} {mark}"),
        format!("{bare}{mark}"),
    ]
    .into_iter()
    .find(|t| textfit::width(t) <= w)
    .unwrap_or_else(|| textfit::cut_with_mark(bare, mark, w))
}

fn unit_row<'a>(
    app: &App,
    m: &MonthState,
    theme: &Theme,
    u: usize,
    pos: usize,
    shown: &[usize],
    name_w: usize,
) -> Row<'a> {
    let unit = &m.table.units[u];
    let mark = &m.marks[u];
    let mut cells = vec![Cell::from(
        Line::from((pos + 1).to_string()).right_aligned(),
    )];
    if app.group_column() {
        // Once for each run of rows of a group, and on the top row.
        let first = pos == app.top
            || pos
                .checked_sub(1)
                .and_then(|p| m.visible.get(p))
                .is_none_or(|&b| m.table.units[b].group() != unit.group());
        cells.push(Cell::from(if first {
            app::group_short(unit.group())
        } else {
            ""
        }));
    }
    let name = if m.marked(app.change).contains(&unit.id) {
        textfit::cut_with_mark(&unit.name, app::NEW_MARK, name_w)
    } else {
        textfit::cut(&unit.name, name_w)
    };
    cells.push(Cell::from(name));
    let on_cursor = pos == app.cursor && !app.on_parent;
    for &metric in shown {
        cells.push(metric_cell(app, theme, unit.id, on_cursor, metric, || {
            value_cell(
                app,
                theme,
                metric,
                m.value(u, metric),
                app.change.and_then(|w| m.compared(u, metric, w)),
                app.worst_on_metric(&mark.rules, metric),
            )
        }));
    }
    cells.push(match mark.worst {
        Some(s) => Cell::from(Span::styled(
            format!("{} {}", Theme::symbol(s), mark.rules.len()),
            theme.severity(s),
        )),
        None => Cell::from(""),
    });
    let row = Row::new(cells);
    if on_cursor {
        row.style(theme.cursor())
    } else {
        row
    }
}

/// A metric cell of a row: the editor's text if it is being typed into,
/// else its value, marked if the cursor selects it.
fn metric_cell<'a>(
    app: &App,
    theme: &Theme,
    unit_id: i64,
    on_cursor: bool,
    metric: usize,
    value: impl FnOnce() -> Cell<'a>,
) -> Cell<'a> {
    if let Some(e) = app
        .editor
        .as_ref()
        .filter(|e| e.unit_id == unit_id && e.metric == metric)
    {
        let text = format!("{}▏", crate::text::show(&e.input));
        return Cell::from(Line::from(text).right_aligned()).style(theme.editing());
    }
    if on_cursor
        && app.col >= 1
        && app.month.as_ref().and_then(|m| m.columns.get(app.col - 1)) == Some(&metric)
    {
        value().style(theme.selected_cell())
    } else {
        value()
    }
}

fn value_cell<'a>(
    app: &App,
    theme: &Theme,
    metric: usize,
    v: Option<&Value>,
    before: Option<&Value>,
    severity: Option<Severity>,
) -> Cell<'a> {
    let kind = app.cat.metrics[metric].kind;
    let Some(v) = v else {
        return Cell::from(Line::styled("·", theme.dim()).right_aligned());
    };
    let style = severity.map_or(Style::new(), |s| theme.severity(s));
    let mut spans = vec![Span::styled(columns::cell(v, kind), style)];
    if app.change.is_some() {
        let ch = columns::change(v, before, kind);
        let st = if ch.starts_with('▲') {
            theme.up()
        } else if ch.starts_with('▼') {
            theme.down()
        } else {
            theme.dim()
        };
        spans.push(Span::raw(" "));
        spans.push(Span::styled(format!("{ch:<7}"), st));
    }
    Cell::from(Line::from(spans).right_aligned())
}

/// A database with no month yet: what to do, in this screen.
fn empty(f: &mut Frame, area: Rect, theme: &Theme) {
    let width = (area.width as usize).saturating_sub(1);
    let mut text = vec![
        Line::styled("Chưa có số liệu kỳ nào.", theme.title()),
        Line::from(""),
    ];
    let mut para = |s: &str, first: &str, rest: &str| {
        for l in textfit::wrap(s, width, first, rest) {
            text.push(Line::from(l));
        }
    };
    para(
        "Bấm i để nhập tệp kết quả (CSV, TSV, XLSX): gõ đường dẫn tệp (Tab hoàn thành), Enter. Trước khi ghi, chiso cho xem từng ô:",
        "",
        "",
    );
    para(
        "tệp không ghi kỳ: chiso hỏi kỳ của số liệu (tháng, quý hoặc năm);",
        "  • ",
        "    ",
    );
    para(
        "tên đơn vị chưa có trong danh sách: bấm c để tạo các đơn vị đó theo tên trong tệp;",
        "  • ",
        "    ",
    );
    para(
        "y ghi tất cả, Esc bỏ: chưa bấm y thì không có gì được ghi.",
        "  • ",
        "    ",
    );
    para(
        "Hoặc bấm n để mở một tháng trống rồi gõ từng ô (khi đã có đơn vị).",
        "",
        "",
    );
    para("", "", "");
    para(
        "Màn hình này cũng tự cập nhật khi lệnh chiso import ở cửa sổ khác ghi vào tệp.",
        "",
        "",
    );
    f.render_widget(Paragraph::new(text), area);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sort_mark_never_eats_the_title() {
        assert_eq!(with_mark("Xử lý %", "▲", 10), "Xử lý % ▲");
        assert_eq!(with_mark("Hài lòng %", "▲", 10), "Hài lòng ▲");
        assert_eq!(with_mark("Hài lòng %", "▼2", 10), "Hài lòng▼2");
        assert_eq!(with_mark("Số hoá %", "▲2", 10), "Số hoá ▲2");
        assert_eq!(with_mark("Vi phạm", "▲", 9), "Vi phạm ▲");
        assert_eq!(with_mark("Thanh toán", "▲2", 10), "Thanh t…▲2");
    }
}
