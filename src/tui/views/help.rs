//! Every key, written from the keymap that dispatches them. A long
//! description goes on under itself, not back at the first column.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::tui::app::{App, NEW_MARK, NEW_MARK_HELP};
use crate::tui::keymap::{EDIT_KEYMAP, KEYMAP};
use crate::tui::textfit;
use crate::tui::theme::Theme;

/// Where a key's description starts: "  " and the key, 7 wide, and a space.
const KEY_W: usize = 7;

pub fn lines(theme: &Theme, width: usize) -> Vec<Line<'static>> {
    // Short of the last column: a line that touches the edge reads as cut.
    let width = width.saturating_sub(1);
    let mut out = vec![Line::styled("Phím tắt", theme.title())];
    let entry = |out: &mut Vec<Line<'static>>, key: &str, help: &str| {
        let first = format!("  {key:<KEY_W$} ");
        let rest = " ".repeat(2 + KEY_W + 1);
        for l in textfit::wrap(help, width, &first, &rest) {
            out.push(Line::from(l));
        }
    };
    for b in KEYMAP {
        entry(&mut out, b.label, b.help);
    }
    out.push(Line::from(""));
    out.push(Line::styled(
        "Khi sửa ô (nhận 93,45 · 93.45 · 93.45%)",
        theme.title(),
    ));
    for b in EDIT_KEYMAP {
        entry(&mut out, b.label, b.help);
    }
    entry(
        &mut out,
        "dán",
        "dán một bảng (Ctrl-Shift-V…): xem trước từng ô, a nhận tên gợi ý, c tạo đơn vị chưa có, y ghi, Esc bỏ",
    );
    out.push(Line::from(""));
    out.push(Line::styled("Trong ô lọc (/)", theme.title()));
    for (k, h) in [
        (
            "chữ",
            "tên đơn vị không cần dấu: \"dong\" tìm Đông Kết, Đồng Tiến",
        ),
        (
            "<>=",
            "điều kiện theo mã hoặc đầu tên cột: digitization<40, so hoa<40",
        ),
        ("&", "nối điều kiện: processing<100 & online_payment<80"),
        ("!", "chỉ các đơn vị cần chỉ đạo (có vi phạm)"),
        (
            "nhóm=",
            "một nhóm đơn vị: nhóm=xã, nhóm=cơ quan, nhóm!=huyện; cũng được \"cơ quan\", \"cấp xã\"",
        ),
        ("Enter", "giữ bộ lọc và về bảng"),
        ("Esc", "xoá bộ lọc"),
    ] {
        entry(&mut out, k, h);
    }
    out.push(Line::from(""));
    out.push(Line::styled("Ký hiệu", theme.title()));
    for (k, h) in [
        ("‼", "vi phạm nghiêm trọng"),
        ("!", "cảnh báo"),
        ("⇑", "nâng mức (vi phạm nghiêm trọng nhiều kỳ liên tiếp)"),
        (
            "▲ ▼",
            "tăng, giảm so với kỳ trước hoặc cùng kỳ năm trước (d)",
        ),
        ("·", "chưa có số liệu"),
        (NEW_MARK.trim(), &format!("sau tên: {NEW_MARK_HELP}")),
    ] {
        entry(&mut out, k, h);
    }
    out.push(Line::from(""));
    out.push(Line::styled("Bản xem trước (dán, nhập tệp)", theme.title()));
    for (k, h) in [
        ("(mới)", "ô chưa có số liệu, sẽ ghi"),
        (
            "a → b",
            "ô thay đổi: a là số đã có, b là số sẽ ghi (chữ đậm)",
        ),
        ("=", "ô không đổi"),
        ("✗", "ô hoặc tên sai, kèm lý do: chưa ghi được"),
        ("?", "tên gần giống một đơn vị: a để nhận"),
    ] {
        entry(&mut out, k, h);
    }
    out
}

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let lines = lines(theme, area.width as usize);
    let top = app.scroll.min(lines.len().saturating_sub(1));
    f.render_widget(Paragraph::new(lines).scroll((top as u16, 0)), area);
}
