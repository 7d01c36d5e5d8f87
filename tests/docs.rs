//! The guide says only what chiso does: every `chiso …` command the README
//! and docs/ show is a real command taking the options shown (its `--help`
//! lists them), and every key in docs/tui.md's key table is bound in the
//! keymap that dispatches keys.

use assert_cmd::Command;
use chiso::tui::keymap::{action_for, edit_key_for};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn doc(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// The `chiso …` commands of a Markdown text: in code blocks (one per
/// line, comments cut) and in `inline code` spans, joined across the
/// line breaks of a paragraph.
fn commands(md: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fence = false;
    for line in md.lines() {
        if line.starts_with("```") {
            fence = !fence;
            continue;
        }
        if fence {
            let code = line.split(" #").next().unwrap_or("").trim();
            if code.starts_with("chiso ") {
                out.push(code.to_owned());
            }
        }
    }
    // Inline spans may wrap across lines: read the text as one line.
    let flat: String = md
        .split("```")
        .step_by(2)
        .collect::<Vec<_>>()
        .join(" ")
        .replace('\n', " ");
    for (i, span) in flat.split('`').enumerate() {
        if i % 2 == 1 && span.starts_with("chiso ") {
            out.push(span.to_owned());
        }
    }
    out
}

/// The words of a command before its first argument or option:
/// `chiso units lineage import FILE` → ["units", "lineage", "import"].
fn path(cmd: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut args = cmd.split_whitespace().skip(1).peekable();
    // The global `--db PATH` may come first.
    if args.peek() == Some(&"--db") {
        args.nth(1);
    }
    for w in args {
        let plain = w.chars().all(|c| c.is_ascii_lowercase() || c == '-');
        if !plain || w.starts_with('-') || words.len() == 3 {
            break;
        }
        words.push(w.to_owned());
    }
    words
}

#[test]
fn every_command_the_guide_shows_exists_with_its_options() {
    let mut checked = 0;
    let mut helps: std::collections::HashMap<Vec<String>, String> = Default::default();
    for file in [
        "README.md",
        "docs/commands.md",
        "docs/tui.md",
        "docs/database.md",
    ] {
        for cmd in commands(&doc(file)) {
            // The longest prefix of the words that is a command.
            let words = path(&cmd);
            let mut help = None;
            for n in (0..=words.len()).rev() {
                let key = words[..n].to_vec();
                if let Some(h) = helps.get(&key) {
                    help = Some(h.clone());
                    break;
                }
                let out = Command::cargo_bin("chiso")
                    .unwrap()
                    .args(&key)
                    .arg("--help")
                    .env("CHISO_DB", "/nonexistent/chiso.db")
                    .output()
                    .unwrap();
                if out.status.success() {
                    let h = String::from_utf8_lossy(&out.stdout).into_owned();
                    helps.insert(key, h.clone());
                    help = Some(h);
                    break;
                }
            }
            let help = help.unwrap_or_else(|| panic!("{file}: no such command: {cmd}"));
            for opt in cmd
                .split_whitespace()
                .filter(|w| w.starts_with("--"))
                .map(|w| {
                    w.split('=')
                        .next()
                        .unwrap()
                        .trim_end_matches([',', '.', ')'])
                })
            {
                assert!(
                    help.contains(opt),
                    "{file}: `{cmd}`: {opt} is not an option of `chiso {}`",
                    path(&cmd).join(" ")
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 40, "only {checked} commands found in the guide");
}

/// A key as the key table writes it.
fn key_event(token: &str) -> Vec<KeyEvent> {
    let plain = |c| vec![KeyEvent::new(c, KeyModifiers::NONE)];
    match token {
        "↑" => plain(KeyCode::Up),
        "↓" => plain(KeyCode::Down),
        "←" => plain(KeyCode::Left),
        "→" => plain(KeyCode::Right),
        "PgUp" => plain(KeyCode::PageUp),
        "PgDn" => plain(KeyCode::PageDown),
        "Home" => plain(KeyCode::Home),
        "End" => plain(KeyCode::End),
        "Enter" => plain(KeyCode::Enter),
        "Esc" => plain(KeyCode::Esc),
        "Delete" => plain(KeyCode::Delete),
        "Tab" => plain(KeyCode::Tab),
        "0–9" => ('0'..='9')
            .map(|c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
            .collect(),
        t if t.starts_with("Ctrl-") => {
            let c = t["Ctrl-".len()..].to_lowercase().chars().next().unwrap();
            vec![KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)]
        }
        t if t.chars().count() == 1 => plain(KeyCode::Char(t.chars().next().unwrap())),
        t => panic!("a key the table writes that this test cannot read: {t:?}"),
    }
}

#[test]
fn every_key_in_the_key_table_is_bound() {
    let md = doc("docs/tui.md");
    let table = md
        .split("| key | action |")
        .nth(1)
        .expect("docs/tui.md has a key table");
    let mut keys = 0;
    for row in table.lines().skip(2).take_while(|l| l.starts_with('|')) {
        let cell = row.split('|').nth(1).unwrap().trim();
        for token in cell
            .split([',', ' '])
            .filter(|t| !t.is_empty() && *t != "or")
        {
            for ev in key_event(token) {
                assert!(
                    action_for(ev).is_some() || edit_key_for(ev).is_some(),
                    "docs/tui.md lists {token:?} ({row}) but no key binds it"
                );
                keys += 1;
            }
        }
    }
    assert!(keys > 30, "only {keys} keys read from the table");
}
