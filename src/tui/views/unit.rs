//! One unit, every month: the values, a bar line per metric, and the rules
//! it broke each month.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use crate::model::Value;
use crate::tui::app::App;
use crate::tui::columns;
use crate::tui::theme::Theme;

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// "▁▃▅█": one bar per month, scaled between the unit's own lowest and
/// highest value; a month without the value is a space.
pub fn sparkline(values: &[Option<f64>]) -> String {
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    let (lo, hi) = present
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &x| {
            (l.min(x), h.max(x))
        });
    values
        .iter()
        .map(|v| match v {
            None => ' ',
            Some(x) if hi - lo < 1e-9 => BARS[if *x > 0.0 { 7 } else { 0 }],
            Some(x) => BARS[(((x - lo) / (hi - lo)) * 7.0).round() as usize],
        })
        .collect()
}

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(d) = &app.unit else { return };
    let metrics: Vec<usize> = (0..app.cat.metrics.len())
        .filter(|&m| d.months.iter().any(|x| x.row[m].is_some()))
        .collect();
    let spark_h = metrics.len() as u16 + 1;
    let [table_area, spark_area] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(spark_h)]).areas(area);

    // Months as rows; as many metric columns as fit.
    let width_left = table_area.width.saturating_sub(8 + 1 + 20);
    let fit = (width_left / 11).max(1) as usize;
    let shown: Vec<usize> = metrics.iter().copied().take(fit).collect();
    let mut header = vec![Cell::from(Line::styled("Tháng", theme.header()))];
    header.extend(shown.iter().map(|&m| {
        Cell::from(
            Line::styled(columns::title(&app.cat.metrics[m]), theme.header()).right_aligned(),
        )
    }));
    header.push(Cell::from(Line::styled("Vi phạm", theme.header())));
    let rows: Vec<Row> = d
        .months
        .iter()
        .skip(app.scroll.min(d.months.len().saturating_sub(1)))
        .map(|mo| {
            let mut cells = vec![Cell::from(format!(
                "{}/{}",
                mo.period.month, mo.period.year
            ))];
            for &m in &shown {
                let kind = app.cat.metrics[m].kind;
                let style = app
                    .worst_on_metric(&mo.broken, m)
                    .map_or(ratatui::style::Style::new(), |s| theme.severity(s));
                let text = mo.row[m]
                    .as_ref()
                    .map_or("·".to_string(), |v| columns::cell(v, kind));
                cells.push(Cell::from(Line::styled(text, style).right_aligned()));
            }
            let codes: Vec<Span> = mo
                .broken
                .iter()
                .map(|&r| {
                    let rule = &app.rules[r];
                    Span::styled(
                        format!("{}{} ", Theme::symbol(rule.severity), rule.code),
                        theme.severity(rule.severity),
                    )
                })
                .collect();
            cells.push(Cell::from(Line::from(codes)));
            Row::new(cells)
        })
        .collect();
    let mut widths = vec![Constraint::Length(8)];
    widths.extend(shown.iter().map(|_| Constraint::Length(10)));
    widths.push(Constraint::Min(20));
    f.render_widget(
        Table::new(rows, widths)
            .header(Row::new(header))
            .column_spacing(1),
        table_area,
    );

    let mut lines = vec![Line::styled("Diễn biến qua các tháng", theme.header())];
    for &m in &metrics {
        let metric = &app.cat.metrics[m];
        let nums: Vec<Option<f64>> = d
            .months
            .iter()
            .map(|mo| match &mo.row[m] {
                Some(Value::Num(x)) => Some(*x),
                Some(Value::Label(l)) => metric
                    .labels
                    .iter()
                    .position(|x| x == l)
                    .map(|r| (metric.labels.len() - r) as f64),
                None => None,
            })
            .collect();
        let last = d
            .months
            .iter()
            .rev()
            .find_map(|mo| mo.row[m].as_ref())
            .map(|v| columns::cell(v, metric.kind))
            .unwrap_or_default();
        lines.push(Line::from(format!(
            "{:<16} {}  {last}",
            columns::title(metric),
            sparkline(&nums)
        )));
    }
    f.render_widget(Paragraph::new(lines), spark_area);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparkline_scales_and_shows_gaps() {
        assert_eq!(
            sparkline(&[Some(0.0), Some(50.0), None, Some(100.0)]),
            "▁▅ █"
        );
        assert_eq!(sparkline(&[Some(3.0), Some(3.0)]), "██");
        assert_eq!(sparkline(&[]), "");
    }
}
