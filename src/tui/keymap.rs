//! The one table of keys: dispatch reads it, and so do the help screen and
//! the footer hints, so they cannot drift apart.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::{Action, EditKey, Move};
use super::app::{App, View};

pub struct Binding {
    pub keys: &'static [KeyCode],
    /// Keys pressed with Ctrl.
    pub ctrl: &'static [char],
    /// How the help screen writes the keys.
    pub label: &'static str,
    pub action: Action,
    pub help: &'static str,
    /// Short form for the footer, if the key belongs there, with its rank:
    /// on a narrow screen the highest ranks are left out first.
    pub hint: Option<(u8, &'static str)>,
}

pub const KEYMAP: &[Binding] = &[
    Binding {
        keys: &[KeyCode::Up, KeyCode::Char('k')],
        ctrl: &[],
        label: "↑ k",
        action: Action::Up,
        help: "lên một dòng (từ dòng đầu: lên dòng đơn vị cấp trên, để nhập số liệu của nó)",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Down, KeyCode::Char('j')],
        ctrl: &[],
        label: "↓ j",
        action: Action::Down,
        help: "xuống một dòng",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Left, KeyCode::Char('h')],
        ctrl: &[],
        label: "← h",
        action: Action::Left,
        help: "cột bên trái (tên đơn vị luôn hiện); ở màn hình đơn vị và công văn: cuộn sang trái",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Right, KeyCode::Char('l')],
        ctrl: &[],
        label: "→ l",
        action: Action::Right,
        help: "cột bên phải; ở màn hình đơn vị và công văn: cuộn sang phải",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::PageUp],
        ctrl: &[],
        label: "PgUp",
        action: Action::PageUp,
        help: "lên một trang",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::PageDown],
        ctrl: &[],
        label: "PgDn",
        action: Action::PageDown,
        help: "xuống một trang",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Home],
        ctrl: &[],
        label: "Home",
        action: Action::Home,
        help: "dòng đầu",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::End],
        ctrl: &[],
        label: "End",
        action: Action::End,
        help: "dòng cuối",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Enter],
        ctrl: &[],
        label: "Enter",
        action: Action::Open,
        help: "ở cột tên: chi tiết đơn vị (mọi kỳ cùng loại); ở cột số liệu: sửa ô",
        hint: Some((1, "Enter xem/sửa")),
    },
    Binding {
        keys: &[KeyCode::Esc],
        ctrl: &[],
        label: "Esc",
        action: Action::Back,
        help: "quay lại; ở bảng kết quả: xoá bộ lọc và nhóm",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('/')],
        ctrl: &[],
        label: "/",
        action: Action::Filter,
        help: "lọc: tên không dấu (\"dong\"), điều kiện (\"digitization<40\", \"xu ly<100 & hai long<90\"), \"!\" cần chỉ đạo",
        hint: Some((1, "/ lọc")),
    },
    Binding {
        keys: &[KeyCode::Char('!')],
        ctrl: &[],
        label: "!",
        action: Action::OnlyFindings,
        help: "chỉ hiện đơn vị cần chỉ đạo (có vi phạm); bấm lại: hiện tất cả",
        hint: Some((2, "! vi phạm")),
    },
    Binding {
        keys: &[KeyCode::Char('s')],
        ctrl: &[],
        label: "s",
        action: Action::Sort,
        help: "sắp xếp theo cột đang chọn (bấm lại: đảo chiều)",
        hint: Some((3, "s sắp xếp")),
    },
    Binding {
        keys: &[KeyCode::Char('S')],
        ctrl: &[],
        label: "S",
        action: Action::SortAdd,
        help: "thêm cột đang chọn làm khoá sắp xếp phụ",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('[')],
        ctrl: &[],
        label: "[",
        action: Action::PrevPeriod,
        help: "kỳ trước có số liệu, cùng loại với kỳ đang xem (tháng, quý hoặc năm)",
        hint: Some((1, "[ ] kỳ")),
    },
    Binding {
        keys: &[KeyCode::Char(']')],
        ctrl: &[],
        label: "]",
        action: Action::NextPeriod,
        help: "kỳ sau có số liệu, cùng loại",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('K')],
        ctrl: &[],
        label: "K",
        action: Action::NextKind,
        help: "xem theo tháng, quý hay năm (lần lượt các loại có số liệu), sang kỳ chứa tháng cuối của kỳ đang xem",
        // In the footer only when there is another kind to go to
        // (`footer_hints`).
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('f')],
        ctrl: &[],
        label: "f",
        action: Action::Findings,
        help: "đơn vị cần chỉ đạo khắc phục, theo từng quy tắc",
        hint: Some((1, "f chỉ đạo")),
    },
    Binding {
        keys: &[KeyCode::Char('g')],
        ctrl: &[],
        label: "g",
        action: Action::Group,
        help: "nhóm đơn vị: lần lượt cơ quan cấp tỉnh, UBND cấp huyện, UBND cấp xã, rồi tất cả (cấp tỉnh)",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('d')],
        ctrl: &[],
        label: "d",
        action: Action::ToggleChange,
        help: "hiện thay đổi (▲ ▼) so với kỳ trước; bấm lần nữa: so với cùng kỳ năm trước; lần nữa: ẩn",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('?')],
        ctrl: &[],
        label: "?",
        action: Action::Help,
        help: "trợ giúp (màn hình này)",
        hint: Some((0, "? trợ giúp")),
    },
    Binding {
        keys: &[KeyCode::Char('q')],
        ctrl: &[],
        label: "q",
        action: Action::Quit,
        help: "thoát",
        hint: Some((0, "q thoát")),
    },
    Binding {
        keys: &[],
        ctrl: &['c'],
        label: "Ctrl-c",
        action: Action::Quit,
        help: "thoát, cả khi đang nhập",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('e')],
        ctrl: &[],
        label: "e 0–9",
        action: Action::Edit,
        help: "sửa ô đang chọn; gõ ngay một chữ số cũng mở ô sửa",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('x'), KeyCode::Delete],
        ctrl: &[],
        label: "x Del",
        action: Action::Clear,
        help: "xoá giá trị của ô (hỏi lại trước khi xoá); ở bản xem trước: bỏ dòng đang chọn",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('u')],
        ctrl: &[],
        label: "u",
        action: Action::Undo,
        help: "hoàn tác lần sửa gần nhất của phiên này",
        hint: None,
    },
    Binding {
        keys: &[],
        ctrl: &['r'],
        label: "Ctrl-r",
        action: Action::Redo,
        help: "làm lại lần sửa vừa hoàn tác",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('n')],
        ctrl: &[],
        label: "n",
        action: Action::NewMonth,
        help: "thêm kỳ mới (cùng loại với kỳ đang xem) sau kỳ mới nhất để nhập số liệu",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('L')],
        ctrl: &[],
        label: "L",
        action: Action::CellLog,
        help: "lịch sử thay đổi của ô đang chọn (ai sửa, khi nào, từ đâu)",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('i')],
        ctrl: &[],
        label: "i",
        action: Action::Import,
        help: "nhập tệp CSV, TSV, XLSX vào kỳ ghi trong tệp, tệp không ghi thì vào kỳ đang xem, chưa có kỳ nào thì chiso hỏi (Tab hoàn thành đường dẫn; nhận --encoding, --sheet như chiso import); xem trước rồi mới ghi",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('r')],
        ctrl: &[],
        label: "r",
        action: Action::Report,
        help: "công văn của kỳ đang xem (cuộn bằng ↑↓ PgUp PgDn)",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('w')],
        ctrl: &[],
        label: "w",
        action: Action::WriteDocx,
        help: "ghi công văn ra tệp DOCX (mặc định cạnh tệp dữ liệu; sửa đường dẫn nếu cần, Enter để ghi)",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('a')],
        ctrl: &[],
        label: "a",
        action: Action::Accept,
        help: "bản xem trước: nhận tên gợi ý cho dòng đang chọn (lưu làm bí danh khi ghi)",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('y')],
        ctrl: &[],
        label: "y",
        action: Action::Apply,
        help: "bản xem trước: ghi tất cả trong một lần (Esc: bỏ, không ghi gì)",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('c')],
        ctrl: &[],
        label: "c",
        action: Action::CreateUnits,
        help: "bản xem trước: tạo các đơn vị chưa có trong danh sách, theo tên trong tệp (hỏi lại trước khi tạo)",
        hint: None,
    },
];

/// Keys while a cell is being edited: one table for dispatch and help.
pub struct EditBinding {
    pub keys: &'static [KeyCode],
    pub label: &'static str,
    pub key: EditKey,
    pub help: &'static str,
}

pub const EDIT_KEYMAP: &[EditBinding] = &[
    EditBinding {
        keys: &[KeyCode::Enter],
        label: "Enter",
        key: EditKey::Save(Move::Down),
        help: "lưu và xuống dòng dưới (nhập cả cột từ trên xuống)",
    },
    EditBinding {
        keys: &[KeyCode::Tab],
        label: "Tab",
        key: EditKey::Save(Move::Right),
        help: "lưu và sang cột phải",
    },
    EditBinding {
        keys: &[KeyCode::BackTab],
        label: "⇧Tab",
        key: EditKey::Save(Move::Left),
        help: "lưu và sang cột trái",
    },
    EditBinding {
        keys: &[KeyCode::Esc],
        label: "Esc",
        key: EditKey::Cancel,
        help: "huỷ, không lưu",
    },
    EditBinding {
        keys: &[KeyCode::Backspace],
        label: "⌫",
        key: EditKey::Backspace,
        help: "xoá ký tự cuối",
    },
    EditBinding {
        keys: &[KeyCode::Up, KeyCode::Down],
        label: "↑ ↓",
        key: EditKey::NextLabel,
        help: "ô xếp loại: chọn mức trong danh sách (gõ vài chữ đầu cũng được: \"k\" là Khá)",
    },
];

/// What a key does in the cell editor; other characters are typed.
/// Ctrl and Alt chords type nothing (Esc then a fast key arrives as Alt).
pub fn edit_key_for(key: KeyEvent) -> Option<EditKey> {
    if key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    {
        return None;
    }
    if let Some(b) = EDIT_KEYMAP.iter().find(|b| b.keys.contains(&key.code)) {
        return Some(match (b.key, key.code) {
            (EditKey::NextLabel, KeyCode::Up) => EditKey::PrevLabel,
            (k, _) => k,
        });
    }
    match key.code {
        KeyCode::Char(c) => Some(EditKey::Char(c)),
        _ => None,
    }
}

/// The action a key asks for, if any.
pub fn action_for(key: KeyEvent) -> Option<Action> {
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        let KeyCode::Char(c) = key.code else {
            return None;
        };
        return KEYMAP
            .iter()
            .find(|b| b.ctrl.contains(&c.to_ascii_lowercase()))
            .map(|b| b.action);
    }
    if let Some(b) = KEYMAP.iter().find(|b| b.keys.contains(&key.code)) {
        return Some(b.action);
    }
    // A digit on a cell starts typing its new value.
    match key.code {
        KeyCode::Char(c) if c.is_ascii_digit() => Some(Action::EditWith(c)),
        _ => None,
    }
}

/// "Enter xem/sửa · / lọc · …": every hint of the month table.
pub fn hints() -> String {
    KEYMAP
        .iter()
        .filter_map(|b| b.hint.map(|(_, h)| h))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The keys the footer offers in the view shown, (rank, text): the
/// month table's from the keymap, the other views' own.
pub fn footer_hints(app: &App) -> Vec<(u8, &'static str)> {
    const SCROLL: &[(u8, &str)] = &[
        (0, "↑↓ PgUp PgDn cuộn"),
        (0, "Esc quay lại"),
        (1, "q thoát"),
    ];
    match app.view() {
        // A database with no month yet: how to bring one in.
        View::Month if app.month.is_none() => vec![
            (0, "i nhập tệp"),
            (1, "n tháng mới"),
            (0, "? trợ giúp"),
            (0, "q thoát"),
        ],
        View::Month => {
            let mut h = Vec::new();
            for b in KEYMAP {
                h.extend(b.hint);
                // "K xem quý": where K goes, when the file has another kind.
                if b.action == Action::NextKind
                    && let Some(k) = app.next_kind()
                {
                    h.push((1, kind_hint(k)));
                }
            }
            h
        }
        View::Findings => vec![
            (0, "↑↓ chọn"),
            (1, "Enter xem đơn vị"),
            (0, "Esc quay lại"),
            (2, "? trợ giúp"),
            (1, "q thoát"),
        ],
        View::Unit(_) => vec![
            (0, "↑↓ cuộn"),
            (0, "← → cột"),
            (0, "Esc quay lại"),
            (2, "? trợ giúp"),
            (1, "q thoát"),
        ],
        View::Report => vec![
            (0, "↑↓ PgUp PgDn ← → cuộn"),
            (1, "w ghi DOCX"),
            (0, "Esc quay lại"),
            (1, "q thoát"),
        ],
        View::Preview => {
            let mut h = vec![(0, "↑↓ chọn dòng"), (1, "a nhận tên gợi ý")];
            if app.unknown_units().is_some_and(|n| !n.is_empty()) {
                h.push((0, "c tạo đơn vị"));
            }
            h.extend([
                (2, "x bỏ dòng"),
                (0, "y ghi tất cả"),
                (0, "Esc bỏ, không ghi gì"),
            ]);
            h
        }
        View::Help | View::Log => SCROLL.to_vec(),
    }
}

/// The footer's hint for `K`, naming the kind it shows next.
fn kind_hint(k: crate::model::PeriodKind) -> &'static str {
    match k {
        crate::model::PeriodKind::Month => "K xem tháng",
        crate::model::PeriodKind::Quarter => "K xem quý",
        crate::model::PeriodKind::Year => "K xem năm",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_a_key_and_no_key_two_actions() {
        let mut seen = Vec::new();
        for b in KEYMAP {
            for k in b.keys {
                assert!(!seen.contains(k), "{k:?} bound twice");
                seen.push(*k);
                assert_eq!(action_for(KeyEvent::from(*k)), Some(b.action));
            }
        }
        assert_eq!(
            action_for(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        assert_eq!(
            action_for(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL)),
            Some(Action::Redo)
        );
        assert_eq!(
            action_for(KeyEvent::from(KeyCode::Char('7'))),
            Some(Action::EditWith('7'))
        );
        assert_eq!(action_for(KeyEvent::from(KeyCode::Char('z'))), None);
        assert_eq!(
            edit_key_for(KeyEvent::from(KeyCode::Enter)),
            Some(EditKey::Save(Move::Down))
        );
        assert_eq!(
            edit_key_for(KeyEvent::from(KeyCode::Up)),
            Some(EditKey::PrevLabel)
        );
        assert_eq!(
            edit_key_for(KeyEvent::from(KeyCode::Char(','))),
            Some(EditKey::Char(','))
        );
    }
}
