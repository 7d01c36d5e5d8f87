//! One unit, every month: the values, a bar line per metric, and the rules
//! it broke each month. Then, for a unit formed from others (the 2025
//! reform), each of those units' months before the change under its own
//! heading, never mixed with the unit's; a renamed unit's months run on,
//! the months under its old name headed as such.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::db::lineage::Share;
use crate::model::{Period, Value};
use crate::rules::month::UnitMonth;
use crate::tui::app::App;
use crate::tui::columns;
use crate::tui::textfit;
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
    let own: Vec<&UnitMonth> = d
        .stretches
        .first()
        .map(|s| s.months.iter().map(|(_, m)| m).collect())
        .unwrap_or_default();
    let all = || {
        d.stretches
            .iter()
            .flat_map(|s| s.months.iter().map(|(_, m)| m))
    };
    let metrics: Vec<usize> = (0..app.cat.metrics.len())
        .filter(|&m| all().any(|x| x.row[m].is_some()))
        .collect();
    // The lines below the table follow the unit's own months only.
    let spark: Vec<usize> = metrics
        .iter()
        .copied()
        .filter(|&m| own.iter().any(|x| x.row[m].is_some()))
        .collect();
    let spark_h = spark.len() as u16 + 1;
    let [table_area, spark_area] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(spark_h)]).areas(area);

    // Months as rows; as many metric columns as leave the rules' codes
    // room to show whole (one per line if need be).
    let width = table_area.width as usize;
    let codes_w = all()
        .flat_map(|m| m.broken.iter())
        .map(|&r| textfit::width(&app.rules[r].code) + 1)
        .max()
        .unwrap_or(0)
        .clamp(20, 30);
    let fit = (width.saturating_sub(MONTH_W + 1 + codes_w) / (METRIC_W + 1)).max(1);
    let shown: Vec<usize> = metrics.iter().copied().take(fit).collect();
    let codes_w = width
        .saturating_sub(MONTH_W + shown.len() * (METRIC_W + 1) + 1)
        .max(1);

    let mut lines: Vec<Line> = Vec::new();
    let mut header = vec![Span::styled(textfit::pad("Tháng", MONTH_W), theme.header())];
    for &m in &shown {
        header.push(Span::styled(
            format!(
                " {}",
                textfit::right(&columns::title(&app.cat.metrics[m]), METRIC_W)
            ),
            theme.header(),
        ));
    }
    header.push(Span::styled(" Vi phạm", theme.header()));
    // Where each heading starts, and its lines: the one above the top
    // line stays in view when scrolled.
    let mut heads: Vec<(usize, Vec<Line>)> = Vec::new();
    // Where each month's lines start.
    let mut rows: Vec<usize> = Vec::new();
    let mut heading = |lines: &mut Vec<Line<'static>>, text: &str| {
        let start = lines.len();
        // Short of the last column: a line that touches the edge reads as cut.
        for l in textfit::wrap(text, width.saturating_sub(1), "", "  ") {
            lines.push(Line::styled(l, theme.header()));
        }
        heads.push((start, lines[start..].to_vec()));
    };
    for s in &d.stretches {
        if s.change.is_none() && d.stretches.len() > 1 && !s.months.is_empty() {
            // The unit's own months, set apart from those before it.
            let head = match d.unit.from {
                Some(p) => format!("Từ {}: {}", short(p), s.name),
                None => s.name.clone(),
            };
            heading(&mut lines, &head);
        }
        if let Some(c) = s.change {
            let into = d
                .stretches
                .iter()
                .find(|x| x.unit_id == c.into)
                .filter(|_| c.into != d.unit.id)
                .map_or(String::new(), |x| format!(", vào {}", x.name));
            let mut head = format!(
                "Trước {}: {} ({}{into})",
                short(c.period),
                s.name,
                share_words(c.share)
            );
            if s.months.is_empty() {
                head.push_str(": không có số liệu");
            }
            heading(&mut lines, &head);
        }
        let mut last_name: Option<&str> = None;
        for (k, (name, mo)) in s.months.iter().enumerate() {
            // A rename from a month: the months under each name apart.
            if last_name != Some(name.as_str()) && (k > 0 || *name != s.name) {
                let end = s.months[k..]
                    .iter()
                    .take_while(|(n, _)| n == name)
                    .last()
                    .map_or(mo.period, |(_, m)| m.period);
                let head = if *name == s.name {
                    format!("Từ {}: {name}", short(mo.period))
                } else {
                    format!("Tên cũ, đến {}: {name}", short(end))
                };
                heading(&mut lines, &head);
            }
            last_name = Some(name);
            rows.push(lines.len());
            month_lines(&mut lines, app, theme, mo, &shown, codes_w);
        }
    }
    let body_h = (table_area.height as usize).saturating_sub(1);
    // The top line is the first of a month or of a heading, never the
    // rules of a month scrolled away.
    let first_line = |top: usize| {
        rows.iter()
            .chain(heads.iter().map(|(s, _)| s))
            .copied()
            .filter(|&s| s >= top)
            .min()
            .unwrap_or(top)
    };
    let top = first_line(app.scroll.min(lines.len().saturating_sub(body_h)));
    // Scrolled below a heading: it stays on top of its rows.
    let pinned = |top: usize| {
        heads
            .iter()
            .rev()
            .find(|(start, _)| *start <= top)
            .filter(|(start, head)| top >= start + head.len())
            .map(|(_, head)| head.clone())
            .unwrap_or_default()
    };
    let mut pin = pinned(top);
    let mut top = top;
    if !pin.is_empty() {
        top = first_line(
            app.scroll
                .min(lines.len().saturating_sub(body_h.saturating_sub(pin.len()))),
        );
        pin = pinned(top);
    }
    let mut shown_lines = vec![Line::from(header)];
    let rest = body_h.saturating_sub(pin.len());
    shown_lines.extend(pin);
    shown_lines.extend(lines.into_iter().skip(top).take(rest));
    f.render_widget(Paragraph::new(shown_lines), table_area);

    let trend = if d.stretches.len() > 1 {
        // Its own months only: the old units' are not its past.
        textfit::cut(
            &format!("Diễn biến qua các tháng của riêng {}", d.unit.name),
            width,
        )
    } else {
        "Diễn biến qua các tháng".to_string()
    };
    let mut lines = vec![Line::styled(trend, theme.header())];
    for &m in &spark {
        let metric = &app.cat.metrics[m];
        let nums: Vec<Option<f64>> = own
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
        let last = own
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

const MONTH_W: usize = 8;
const METRIC_W: usize = 10;

/// "7/2025".
fn short(p: Period) -> String {
    format!("{}/{}", p.month, p.year)
}

fn share_words(s: Share) -> &'static str {
    match s {
        Share::Whole => "toàn bộ",
        Share::Part => "một phần",
    }
}

/// One month: its values, then the rules it broke, a line each if they do
/// not fit on one.
fn month_lines(
    lines: &mut Vec<Line<'static>>,
    app: &App,
    theme: &Theme,
    mo: &UnitMonth,
    shown: &[usize],
    codes_w: usize,
) {
    let mut spans = vec![Span::raw(textfit::pad(&short(mo.period), MONTH_W))];
    for &m in shown {
        let kind = app.cat.metrics[m].kind;
        let style = app
            .worst_on_metric(&mo.broken, m)
            .map_or(ratatui::style::Style::new(), |s| theme.severity(s));
        let text = mo.row[m]
            .as_ref()
            .map_or("·".to_string(), |v| columns::cell(v, kind));
        spans.push(Span::raw(" "));
        spans.push(Span::styled(textfit::right(&text, METRIC_W), style));
    }
    let indent = MONTH_W + shown.len() * (METRIC_W + 1);
    // The codes, packed into lines of the column's width.
    let mut rows: Vec<Vec<Span<'static>>> = vec![Vec::new()];
    let mut used = 0;
    for &r in &mo.broken {
        let rule = &app.rules[r];
        let code = textfit::cut(
            &format!("{}{}", Theme::symbol(rule.severity), rule.code),
            codes_w,
        );
        let w = textfit::width(&code) + 1;
        if used > 0 && used + w > codes_w + 1 {
            rows.push(Vec::new());
            used = 0;
        }
        let row = rows.last_mut().expect("one row at least");
        row.push(Span::raw(" "));
        row.push(Span::styled(code, theme.severity(rule.severity)));
        used += w;
    }
    for (i, codes) in rows.into_iter().enumerate() {
        if i == 0 {
            spans.extend(codes);
            lines.push(Line::from(std::mem::take(&mut spans)));
        } else {
            let mut l = vec![Span::raw(" ".repeat(indent))];
            l.extend(codes);
            lines.push(Line::from(l));
        }
    }
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
