//! The month table: one row per unit, the parent pinned on top, the name
//! column frozen when scrolling sideways, a findings column. A province's
//! month with several groups gets a narrow group column, its rows ordered
//! by group; a unit formed or changed in the month has a mark after its
//! name.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};

use crate::model::Value;
use crate::rules::Severity;
use crate::tui::app::{self, App, MonthState, SortCol};
use crate::tui::columns;
use crate::tui::textfit;
use crate::tui::theme::Theme;

const STT_W: u16 = 4;
const FINDINGS_W: u16 = 7;
const NAME_MAX: u16 = 24;
/// The group column: "Cơ quan", "Huyện", "Xã".
const GROUP_W: u16 = 7;

/// How the table divides `area`: (body rows, metric columns that fit,
/// name width, metric width). `App::resize` and `draw` both use it.
pub fn layout(area: Rect, app: &App) -> (usize, usize, u16, u16) {
    let metric_w: u16 = if app.show_change { 18 } else { 10 };
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
        empty(f, area, app, theme);
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
    let head = |title: String, col: usize, sc: SortCol, right: bool| {
        let t = match sort_mark(sc) {
            Some(mk) => format!("{title} {mk}"),
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
    header.push(head("Đơn vị".into(), 0, SortCol::Name, false));
    for (i, &metric) in shown.iter().enumerate() {
        let col = app.col_offset + i + 1;
        header.push(head(
            columns::title(&app.cat.metrics[metric]),
            col,
            SortCol::Metric(metric),
            true,
        ));
    }
    header.push(head("Vi phạm".into(), n_cols + 1, SortCol::Findings, false));

    let mut body: Vec<Row> = Vec::with_capacity(rows + 1);
    // The parent, pinned and set apart.
    if let Some(p) = &m.table.parent {
        let row = m.table.current.parent.as_ref();
        let before = m.table.before.parent.as_ref();
        let mut cells = vec![Cell::from("")];
        if grouped {
            cells.push(Cell::from(""));
        }
        cells.push(Cell::from(textfit::cut(&p.name, name_w as usize)));
        for &metric in &shown {
            let v = row.and_then(|r| r[metric].as_ref());
            let b = before.and_then(|r| r[metric].as_ref());
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
    let name = if m.fresh.contains(&unit.id) {
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
                m.before(u, metric),
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
    if app.show_change {
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

fn empty(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let db = app.db_path().display().to_string();
    let text = vec![
        Line::styled("Chưa có số liệu tháng nào.", theme.title()),
        Line::from(""),
        Line::from("Nhập kết quả từ tệp CSV, TSV hoặc XLSX (ở một cửa sổ khác):"),
        Line::from(format!(
            "  chiso --db {db} import phu-luc-1.xlsx phu-luc-2.xlsx --period 2024-08"
        )),
        Line::from("hoặc từng giá trị:"),
        Line::from(format!(
            "  chiso --db {db} set --period 2024-08 --unit \"Bình Kiều\" processing=37,9"
        )),
        Line::from(""),
        Line::from("Màn hình này tự cập nhật khi có số liệu. ? trợ giúp · q thoát"),
    ];
    f.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), area);
}
