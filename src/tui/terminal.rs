//! The one owner of the terminal: raw mode and the alternate screen on the
//! way in, restored on every way out (quit, error, panic, SIGTERM, SIGHUP),
//! and the event loop. No mouse capture: the user's terminal keeps its own
//! selection, copy and paste.

use std::io::{self, Write};
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{
    self, DisableBracketedPaste, EnableBracketedPaste, Event, KeyCode, KeyEvent, KeyEventKind,
    KeyModifiers,
};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::layout::Rect;

use super::app::{App, FilterKey};
use super::pasting::PromptKey;
use super::theme::Theme;
use super::{keymap, ui, views, waiting};

/// How often, when idle, the database is asked whether another process
/// wrote to it: one cheap query a second, no busy loop.
const WATCH: Duration = Duration::from_secs(1);

fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableBracketedPaste,
        LeaveAlternateScreen,
        ratatui::crossterm::cursor::Show
    );
}

/// Restores the terminal when dropped, so an early return or an error
/// leaves it usable.
struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

pub fn run(mut app: App, theme: Theme) -> anyhow::Result<()> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
    // A dropped SSH link sends SIGHUP; `kill` sends SIGTERM. Restore the
    // terminal (if any is left) and leave with the usual status.
    let mut signals = signal_hook::iterator::Signals::new([
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
    ])?;
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            restore();
            std::process::exit(128 + sig);
        }
    });

    enable_raw_mode()?;
    let _guard = Guard;
    execute!(io::stdout(), EnterAlternateScreen, EnableBracketedPaste)?;
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    terminal.clear()?;

    let mut dirty = true;
    let mut last_check = Instant::now();
    let mut last_retry = Instant::now();
    loop {
        if dirty {
            let size = terminal.size()?;
            fit(&mut app, Rect::new(0, 0, size.width, size.height));
            terminal.draw(|f| ui::draw(f, &app, &theme))?;
            dirty = false;
        }
        if app.quit {
            break;
        }
        let mut wait = WATCH.saturating_sub(last_check.elapsed());
        if app.waiting.is_some() {
            wait = wait.min(waiting::RETRY.saturating_sub(last_retry.elapsed()));
        }
        if event::poll(wait)? {
            match event::read()? {
                // Only presses: Windows terminals also report releases.
                Event::Key(k) if k.kind == KeyEventKind::Press => {
                    handle_key(&mut app, k);
                    dirty = true;
                }
                // Not while a write waits: it would race that write.
                Event::Paste(text) if app.waiting.is_none() => {
                    app.paste(&text);
                    dirty = true;
                }
                Event::Resize(..) => dirty = true,
                _ => {}
            }
        }
        // A save waiting for another process's write: try it again, and
        // redraw the seconds waited.
        if app.waiting.is_some() && last_retry.elapsed() >= waiting::RETRY {
            last_retry = Instant::now();
            dirty |= app.retry_write();
        }
        if last_check.elapsed() >= WATCH {
            last_check = Instant::now();
            match app.check_for_changes() {
                Ok(changed) => dirty |= changed,
                Err(e) => {
                    app.message = Some(format!("Lỗi đọc dữ liệu: {e:#}"));
                    dirty = true;
                }
            }
        }
    }
    drop(terminal);
    io::stdout().flush()?;
    Ok(())
}

/// Tells the app how much of the screen its table gets.
pub fn fit(app: &mut App, screen: Rect) {
    let [_, body, _] = ui::areas(app, screen);
    app.width = body.width as usize;
    let (rows, cols, _, _) = views::month::layout(body, app);
    app.resize(rows, cols);
}

/// One key press: to the filter prompt while it is open, else through the
/// keymap. Errors become a message on the footer, never an exit.
pub fn handle_key(app: &mut App, mut k: KeyEvent) {
    // Esc and the next key arriving together (a slow link, a fast typist)
    // reach us as Alt+key: it is an Esc, then the key.
    if k.modifiers.contains(KeyModifiers::ALT) && matches!(k.code, KeyCode::Char(_)) {
        handle_key(app, KeyEvent::from(KeyCode::Esc));
        k.modifiers.remove(KeyModifiers::ALT);
    }
    if k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('c') {
        app.quit = true;
        return;
    }
    // A write waits for another's (`waiting`): Esc gives it up, other
    // keys are ignored (a second edit would race the first).
    if app.waiting.is_some() {
        if k.code == KeyCode::Esc {
            app.cancel_wait();
        }
        return;
    }
    if app.filter_editing {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        let key = match k.code {
            KeyCode::Char(c) if !ctrl => FilterKey::Char(c),
            KeyCode::Backspace => FilterKey::Backspace,
            KeyCode::Enter => FilterKey::Accept,
            KeyCode::Esc => FilterKey::Cancel,
            _ => return,
        };
        app.filter_key(key);
        return;
    }
    if app.prompt.is_some() {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        let key = match k.code {
            KeyCode::Char(c) if !ctrl => PromptKey::Char(c),
            KeyCode::Backspace => PromptKey::Backspace,
            KeyCode::Tab => PromptKey::Complete,
            KeyCode::Enter => PromptKey::Accept,
            KeyCode::Esc => PromptKey::Cancel,
            _ => return,
        };
        app.prompt_key(key);
        return;
    }
    if app.confirm.is_some() {
        let yes = k.modifiers.is_empty() || k.modifiers == KeyModifiers::SHIFT;
        app.confirm_key(yes && matches!(k.code, KeyCode::Char('y' | 'Y')));
        return;
    }
    if app.editor.is_some() {
        if let Some(key) = keymap::edit_key_for(k) {
            app.edit_key(key);
        }
        return;
    }
    if let Some(action) = keymap::action_for(k)
        && let Err(e) = app.update(action)
    {
        app.message = Some(format!("Lỗi: {e:#}"));
    }
}
