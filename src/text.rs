//! Vietnamese text and numbers: the one place in chiso that knows about
//! Unicode forms, tone marks, Vietnamese alphabetical order and the number
//! formats users and the portal write.

use std::cmp::Ordering;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::{
    canonical_combining_class, decompose_canonical, is_combining_mark,
};

// Tone marks (after NFD).
const HUYEN: char = '\u{300}';
const SAC: char = '\u{301}';
const NGA: char = '\u{303}';
const HOI: char = '\u{309}';
const NANG: char = '\u{323}';
// Vowel-quality marks (after NFD): they make distinct letters, not tones.
const BREVE: char = '\u{306}';
const CIRCUMFLEX: char = '\u{302}';
const HORN: char = '\u{31B}';

/// Tone number in CLDR vi order: 1 huyền, 2 hỏi, 3 ngã, 4 sắc, 5 nặng.
fn tone_number(c: char) -> Option<u8> {
    match c {
        HUYEN => Some(1),
        HOI => Some(2),
        NGA => Some(3),
        SAC => Some(4),
        NANG => Some(5),
        _ => None,
    }
}

/// Lower-cases one char for the key functions. Icelandic Ð (U+00D0) is a
/// frequent look-alike stand-in for Đ in converted text, so it counts as đ.
fn key_lower(c: char) -> char {
    if c == 'Ð' {
        'đ'
    } else {
        // Only U+0130 lowers to two chars, and NFD has already split it.
        c.to_lowercase().next().unwrap_or(c)
    }
}

/// NFC, trimmed, runs of white space (incl. U+00A0, U+202F, tabs) collapsed to one ASCII space.
pub fn clean(s: &str) -> String {
    // Printable ASCII without doubled or edge spaces is already clean (and
    // NFC): most cells of a national import take this path.
    let b = s.as_bytes();
    if b.iter().all(|&c| (0x21..0x7f).contains(&c) || c == b' ')
        && b.first() != Some(&b' ')
        && b.last() != Some(&b' ')
        && !s.contains("  ")
    {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfc().filter(|&c| !is_invisible(c)) {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
    }
    out
}

/// Zero-width and soft-hyphen characters that web pages and Word leave in
/// copied names: invisible, so "An Vỹ\u{200B}" must be "An Vỹ".
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{AD}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

fn is_control(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// First control character (Unicode Cc, also U+2028/U+2029, bidi controls U+202A..U+202E, U+2066..U+2069) in s, if any. Tab counts as control here.
pub fn find_control(s: &str) -> Option<char> {
    s.chars().find(|&c| is_control(c))
}

/// Longest text `show` prints before cutting, counted in base characters.
const SHOW_MAX: usize = 60;

/// The first letter in upper case: "tháng 8/2024" → "Tháng 8/2024".
pub fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// "ĐÔNG TẢO" → "Đông Tảo": each word's first letter a capital, the rest
/// small (NFC letters change case whole, marks and all).
pub fn title_case(s: &str) -> String {
    s.split(' ')
        .map(|w| capitalize(&w.to_lowercase()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `s` with control characters escaped as in `show`, never cut: for file
/// paths and other names that must stay whole.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_control(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// `s` made safe to print on a terminal: control characters (as in
/// `find_control`) shown as `\u{XX}` escapes; text longer than 60
/// characters cut with "…". Never returns a raw control character.
///
/// Length counts base characters (combining marks ride along with their
/// base, so a cut never strands a tone mark); a cut text keeps 59 of them
/// plus "…". Escapes look like Rust's: `\u{9}`, `\u{202e}`.
pub fn show(s: &str) -> String {
    let units = s.chars().filter(|&c| !is_combining_mark(c)).count();
    let cut = units > SHOW_MAX;
    let mut out = String::with_capacity(s.len().min(4 * SHOW_MAX) + 3);
    let mut seen = 0usize;
    for c in s.chars() {
        if !is_combining_mark(c) {
            seen += 1;
            if cut && seen >= SHOW_MAX {
                break;
            }
        }
        if is_control(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    if cut {
        out.push('…');
    }
    out
}

/// Matching key for names: ignores Unicode form (NFC/NFD), tone-mark placement ("Hoà" == "Hòa", "Thuỵ" == "Thụy", "Qúy" == "Quý"), case, and extra/odd white space. Keeps vowel-quality marks (ă â ê ô ơ ư) and đ distinct: "Đông" != "Đồng" != "Dông".
///
/// Each run of letters loses its tone mark and gets the tone number
/// (1 huyền, 2 hỏi, 3 ngã, 4 sắc, 5 nặng) appended: "Hoà Bình" -> "hoa1 binh".
/// A toneless run directly followed by an ASCII digit gets "0" so "A1" and
/// "À" stay apart ("a01" vs "a1"). Letter runs end at digits and punctuation,
/// so "Rịa-Vũng" -> "ria5-vung3". Ð (U+00D0) is read as Đ.
pub fn match_key(s: &str) -> String {
    let mut buf = String::with_capacity(s.len() + 8);
    // Tone digits of the current letter run, appended when the run ends.
    let mut tones = String::new();
    let mut in_run = false;
    let mut pending_space = false;

    fn end_run(buf: &mut String, tones: &mut String, next_is_digit: bool) {
        if tones.is_empty() {
            if next_is_digit {
                buf.push('0');
            }
        } else {
            buf.push_str(tones);
            tones.clear();
        }
    }

    for c in s.nfd().filter(|&c| !is_invisible(c)) {
        let c = key_lower(c);
        if c.is_whitespace() {
            if in_run {
                end_run(&mut buf, &mut tones, false);
                in_run = false;
            }
            pending_space = !buf.is_empty();
            continue;
        }
        if pending_space {
            buf.push(' ');
            pending_space = false;
        }
        // A mark only belongs to a run that started with a letter; stray
        // marks are kept as literal characters.
        if c.is_alphabetic() || (in_run && is_combining_mark(c)) {
            in_run = true;
            match tone_number(c) {
                Some(t) => tones.push(char::from(b'0' + t)),
                _ => buf.push(c),
            }
        } else {
            if in_run {
                end_run(&mut buf, &mut tones, c.is_ascii_digit());
                in_run = false;
            }
            buf.push(c);
        }
    }
    if in_run {
        end_run(&mut buf, &mut tones, false);
    }
    buf.nfc().collect()
}

/// Accent-insensitive fold for search: all diacritics removed, Đ/đ -> d, lower case, white space collapsed. fold("Đồng Tiến") == "dong tien".
pub fn fold(s: &str) -> String {
    let mut buf = String::with_capacity(s.len());
    let mut pending_space = false;
    let mut take = |c: char| {
        if is_invisible(c) || is_combining_mark(c) {
            return;
        }
        if c.is_whitespace() {
            pending_space = !buf.is_empty();
            return;
        }
        if pending_space {
            buf.push(' ');
            pending_space = false;
        }
        match c {
            'đ' | 'Đ' | 'Ð' => buf.push('d'),
            _ if c.is_ascii() => buf.push(c.to_ascii_lowercase()),
            _ => buf.extend(c.to_lowercase()),
        }
    };
    // Char by char equals NFD here: canonical reordering only moves the
    // combining marks, which are dropped. ASCII needs no decomposition.
    for c in s.chars() {
        if c.is_ascii() {
            take(c);
        } else {
            unicode_normalization::char::decompose_canonical(c, &mut take);
        }
    }
    // NFD splits Hangul syllables into jamo; put them back together.
    if buf.is_ascii() {
        buf
    } else {
        buf.nfc().collect()
    }
}

// ---- Collation ------------------------------------------------------------
//
// Key layout: primary weights | 0x00 | secondary units | 0x00 | tertiary bytes.
//
// Primary: one weight per element (a base char with its marks; a run of
// white space is one element, leading/trailing space is dropped). The first
// byte of a weight is >= 1, so the 0x00 separator sorts first and a shorter
// string sorts first, and it also fixes the weight's length, so byte-wise
// comparison equals weight-wise comparison.
const P_SPACE: u8 = 0x01; // [0x01, 0x01]
const P_PUNCT: u8 = 0x02; // 3 bytes: lead 0x02..=0x12 (+ plane), then the code point's low 16 bits
const P_DIGIT: u8 = 0x13; // [0x13, ASCII digit]
const P_LETTER: u8 = 0x14; // [0x14, alphabet position]
const P_OTHER: u8 = 0x15; // 3 bytes: lead 0x15..=0x25, other scripts after z by code point
//
// Secondary: one unit per syllable (maximal run of letters) and one per
// other non-space element. A unit is one tone byte (1 ngang, 2 huyền,
// 3 hỏi, 4 ngã, 5 sắc, 6 nặng), then any other marks as 3-byte weights with
// lead 0x10..=0x20. Tones are per syllable, so "Hoà" and "Hòa" tie here.
const S_EXTRA: u8 = 0x10;
//
// Tertiary: one byte per non-space element, 1 lower (or uncased), 2 upper.

// Alphabet positions: a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z.
const L_A: u8 = 1;
const L_D_STROKE: u8 = 7;
const L_E: u8 = 8;
const L_O: u8 = 19;
const L_U: u8 = 27;
/// Position of ASCII a..z in the Vietnamese alphabet.
const ASCII_POS: [u8; 26] = [
    1, 4, 5, 6, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 22, 23, 24, 25, 26, 27, 29, 30, 31, 32,
    33,
];

fn alphabet_pos(lower: char) -> Option<u8> {
    match lower {
        'a'..='z' => ASCII_POS.get(usize::from(lower as u8 - b'a')).copied(),
        'đ' => Some(L_D_STROKE),
        _ => None,
    }
}

/// Letter made by a vowel-quality mark on a base letter (a+breve = ă, …).
fn with_quality(pos: u8, mark: char) -> Option<u8> {
    match (pos, mark) {
        (L_A, BREVE) => Some(L_A + 1),
        (L_A, CIRCUMFLEX) => Some(L_A + 2),
        (L_E, CIRCUMFLEX) => Some(L_E + 1),
        (L_O, CIRCUMFLEX) => Some(L_O + 1),
        (L_O, HORN) => Some(L_O + 2),
        (L_U, HORN) => Some(L_U + 1),
        _ => None,
    }
}

fn push3(v: &mut Vec<u8>, lead: u8, c: char) {
    let cp = c as u32;
    v.extend_from_slice(&[lead + (cp >> 16) as u8, (cp >> 8) as u8, cp as u8]);
}

/// Sort key implementing Vietnamese alphabetical order (CLDR vi): compare keys byte-wise.
///
/// Level 1: letters a ă â b c d đ e ê f … o ô ơ … u ư v w x y z, digits
/// before letters, space and punctuation before digits, other scripts after
/// z by code point; runs of white space count as one space, ends trimmed.
/// Level 2: tone per syllable, ngang < huyền < hỏi < ngã < sắc < nặng.
/// Level 3: lower before upper. Digits compare char by char ("10" < "9").
pub fn collation_key(s: &str) -> Vec<u8> {
    let mut b = KeyBuilder::new(s.len(), true);
    for c in s.chars().filter(|&c| !is_invisible(c)) {
        b.feed_source(c);
    }
    if b.disordered {
        let mut b = KeyBuilder::new(s.len(), true);
        s.nfd()
            .filter(|&c| !is_invisible(c))
            .for_each(|c| b.feed(c));
        return b.finish();
    }
    b.finish()
}

/// compare_vi(a, b) == collation_key(a).cmp(&collation_key(b)), with a final tie-break on the NFC strings so the order is total.
pub fn compare_vi(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    // Most pairs differ early at level 1, which decides the key order.
    let by_key = match compare_primary(a, b) {
        Some(Ordering::Equal) | None => collation_key(a).cmp(&collation_key(b)),
        Some(o) => o,
    };
    by_key.then_with(|| a.nfc().cmp(b.nfc()))
}

/// Level-1 comparison computed lazily, without building whole keys.
/// None if marks came out of canonical order (then only full keys are right).
fn compare_primary(a: &str, b: &str) -> Option<Ordering> {
    let mut sa = PrimaryStream::new(a);
    let mut sb = PrimaryStream::new(b);
    loop {
        let x = sa.next_byte();
        let y = sb.next_byte();
        if sa.b.disordered || sb.b.disordered {
            return None;
        }
        // None (end of level 1) sorts before any byte, like the 0x00 separator.
        if x != y || x.is_none() {
            return Some(x.cmp(&y));
        }
    }
}

/// Yields the level-1 bytes of a collation key one at a time.
struct PrimaryStream<'a> {
    chars: std::str::Chars<'a>,
    b: KeyBuilder,
    read: usize,
    done: bool,
}

impl<'a> PrimaryStream<'a> {
    fn new(s: &'a str) -> Self {
        PrimaryStream {
            chars: s.chars(),
            b: KeyBuilder::new(0, false),
            read: 0,
            done: false,
        }
    }

    fn next_byte(&mut self) -> Option<u8> {
        while self.read >= self.b.key.len() {
            if self.done {
                return None;
            }
            match self.chars.next() {
                Some(c) => self.b.feed_source(c),
                None => {
                    self.b.flush();
                    self.done = true;
                }
            }
        }
        let byte = self.b.key.get(self.read).copied();
        self.read += 1;
        byte
    }
}

/// A base char (or a mark with no base) waiting for its marks.
struct Element {
    lower: char,
    pos: Option<u8>,
    upper: bool,
    orphan: bool,
}

/// Builds a collation key from NFD chars. Elements are written when the
/// next one starts, so a mark can still change its letter (a + ̂ = â).
struct KeyBuilder {
    key: Vec<u8>,
    sec: Vec<u8>,
    ter: Vec<u8>,
    // False: level 1 only (lazy comparison).
    full: bool,
    cur: Option<Element>,
    pending_space: bool,
    word_open: bool,
    // Index in `sec` of the open unit's tone byte.
    tone_at: usize,
    last_ccc: u8,
    // Marks came out of canonical order: redo from real NFD.
    disordered: bool,
}

impl KeyBuilder {
    fn new(len: usize, full: bool) -> Self {
        KeyBuilder {
            key: Vec::with_capacity(if full { 4 * len + 2 } else { 16 }),
            sec: Vec::with_capacity(if full { len / 2 + 2 } else { 0 }),
            ter: Vec::with_capacity(if full { len } else { 0 }),
            full,
            cur: None,
            pending_space: false,
            word_open: false,
            tone_at: 0,
            last_ccc: 0,
            disordered: false,
        }
    }

    /// Feeds one source char, decomposed. Faster than the NFD iterator; its
    /// only gap (marks out of canonical order) sets `disordered`.
    fn feed_source(&mut self, c: char) {
        if c.is_ascii() {
            self.feed(c);
        } else {
            decompose_canonical(c, |d| self.feed(d));
        }
    }

    fn feed(&mut self, c: char) {
        let is_mark = !c.is_ascii() && is_combining_mark(c);
        let ccc = if is_mark {
            canonical_combining_class(c)
        } else {
            0
        };
        if ccc != 0 && ccc < self.last_ccc {
            self.disordered = true;
        }
        self.last_ccc = ccc;

        if is_mark
            && let Some(e) = self.cur.as_mut()
            && !e.orphan
        {
            if let Some(q) = e.pos.and_then(|p| with_quality(p, c)) {
                e.pos = Some(q);
            } else if self.full {
                match (tone_number(c), self.sec.get_mut(self.tone_at)) {
                    // First tone of the syllable, wherever it sits.
                    (Some(t), Some(w)) if *w == 1 => *w = t + 1,
                    _ => push3(&mut self.sec, S_EXTRA, c),
                }
            }
            return;
        }

        self.flush();
        if c.is_whitespace() {
            self.pending_space = !self.key.is_empty();
            self.word_open = false;
            return;
        }
        if self.pending_space {
            self.key.extend_from_slice(&[P_SPACE, 1]);
            self.pending_space = false;
        }
        let (lower, is_word, upper) = if c.is_ascii() {
            (
                c.to_ascii_lowercase(),
                c.is_ascii_alphabetic(),
                c.is_ascii_uppercase(),
            )
        } else if is_mark {
            (c, false, false)
        } else {
            let lower = key_lower(c);
            (lower, lower.is_alphabetic(), c.is_uppercase() || c == 'Ð')
        };
        if !(is_word && self.word_open) && self.full {
            self.tone_at = self.sec.len();
            self.sec.push(1);
        }
        self.word_open = is_word;
        self.cur = Some(Element {
            lower,
            pos: if is_mark { None } else { alphabet_pos(lower) },
            upper,
            orphan: is_mark,
        });
    }

    /// Writes the pending element's primary and tertiary weights.
    fn flush(&mut self) {
        let Some(e) = self.cur.take() else { return };
        let lower = e.lower;
        match e.pos {
            Some(p) => self.key.extend_from_slice(&[P_LETTER, p]),
            None if e.orphan => push3(&mut self.key, P_OTHER, lower),
            None if lower.is_ascii_digit() => self.key.extend_from_slice(&[P_DIGIT, lower as u8]),
            None if !lower.is_alphanumeric() => push3(&mut self.key, P_PUNCT, lower),
            None => push3(&mut self.key, P_OTHER, lower),
        }
        if self.full {
            self.ter.push(if e.upper { 2 } else { 1 });
        }
    }

    fn finish(mut self) -> Vec<u8> {
        self.flush();
        let mut key = self.key;
        key.reserve(self.sec.len() + self.ter.len() + 2);
        key.push(0);
        key.extend_from_slice(&self.sec);
        key.push(0);
        key.extend_from_slice(&self.ter);
        key
    }
}

// ---- Numbers --------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NumberError {
    #[error("empty: expected a number like 93,45 or 3.090")]
    Empty,
    #[error("not a number: expected digits with one decimal comma or dot, like 93,45 or 93.45")]
    NotDecimal,
    #[error(
        "not a whole number: expected digits, thousands may be grouped like 3.090, 3,090 or 3 090"
    )]
    NotCount,
    #[error(
        "not a whole number: it has a fractional part; expected a count like 3090, 3.090 or 3 090"
    )]
    Fraction,
    #[error(
        "ambiguous: both ',' and '.' used; use only one of them, like 93,45 or 93.45, 3.090 or 3,090"
    )]
    Ambiguous,
    #[error("too large: the number does not fit")]
    TooLarge,
}

/// Splits a leading sign ('+', '-' or U+2212 minus); true if negative.
fn split_sign(s: &str) -> (bool, &str) {
    if let Some(rest) = s.strip_prefix('-').or_else(|| s.strip_prefix('\u{2212}')) {
        (true, rest)
    } else if let Some(rest) = s.strip_prefix('+') {
        (false, rest)
    } else {
        (false, s)
    }
}

/// Decimal as written by Vietnamese users or the portal: "93.45", "93,45", "93.45%", "93,45 %", "100", "+5", "-3.5", surrounding white space. Exactly one decimal separator at most (',' or '.'); thousand grouping NOT accepted here (these are 0–100 figures). Empty string is an error (the caller treats empty/"-" as missing before calling).
///
/// Digits are required on both sides of the separator (".5" and "5." are
/// errors). U+2212 '−' is accepted as a minus sign.
pub fn parse_decimal(s: &str) -> Result<f64, NumberError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(NumberError::Empty);
    }
    let t = t.strip_suffix('%').map_or(t, str::trim_end);
    let (negative, body) = split_sign(t);
    if body.contains(',') && body.contains('.') {
        return Err(NumberError::Ambiguous);
    }
    let mut ascii = String::with_capacity(body.len());
    let (mut int_digits, mut frac_digits, mut has_sep) = (0usize, 0usize, false);
    for c in body.chars() {
        match c {
            '0'..='9' => {
                if has_sep {
                    frac_digits += 1;
                } else {
                    int_digits += 1;
                }
                ascii.push(c);
            }
            ',' | '.' if !has_sep => {
                has_sep = true;
                ascii.push('.');
            }
            _ => return Err(NumberError::NotDecimal),
        }
    }
    if int_digits == 0 || (has_sep && frac_digits == 0) {
        return Err(NumberError::NotDecimal);
    }
    let v: f64 = ascii.parse().map_err(|_| NumberError::NotDecimal)?;
    if !v.is_finite() {
        return Err(NumberError::TooLarge);
    }
    // No "-0": zero is zero whatever its sign.
    Ok(if negative && v != 0.0 { -v } else { v })
}

fn is_group_space(c: char) -> bool {
    matches!(c, ' ' | '\u{A0}' | '\u{202F}')
}

/// Whole count: "3090", "3.090", "3,090", "3 090" (also U+00A0 / U+202F as group separator), "1.234.567". Grouped form requires first group 1–3 digits and each later group exactly 3 digits, one separator kind. A single separator followed by a fraction that is all zeros and NOT exactly 3 digits ("3090.0", "12,00") is accepted as that whole number; "12.5" is an error (not whole); "-1" is parsed as -1 (range checks are the caller's). Returns i64.
///
/// A first group starting with 0 is not a grouping ("0.123" is an error,
/// not 123). U+2212 '−' is accepted as a minus sign.
pub fn parse_count(s: &str) -> Result<i64, NumberError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(NumberError::Empty);
    }
    let (negative, body) = split_sign(t);
    let (mut dot, mut comma, mut space) = (false, false, false);
    for c in body.chars() {
        match c {
            '0'..='9' => {}
            '.' => dot = true,
            ',' => comma = true,
            c if is_group_space(c) => space = true,
            _ => return Err(NumberError::NotCount),
        }
    }
    if dot && comma {
        return Err(NumberError::Ambiguous);
    }
    if space && (dot || comma) {
        return Err(NumberError::NotCount);
    }

    let sep = |c: char| c == '.' || c == ',' || is_group_space(c);
    let mut groups = body.split(sep);
    let first = groups.next().unwrap_or("");
    let rest: Vec<&str> = groups.collect();
    if first.is_empty() {
        return Err(NumberError::NotCount);
    }
    let grouped = first.len() <= 3 && !first.starts_with('0') && rest.iter().all(|g| g.len() == 3);
    let digits: Vec<&str> = match rest.as_slice() {
        [] => vec![first],
        _ if grouped => std::iter::once(first).chain(rest.iter().copied()).collect(),
        // One '.' or ',' then a fraction: whole only if the fraction is zeros
        // and not 3 digits long (3 digits would read as a thousands group).
        [frac] if !space && !frac.is_empty() => {
            if frac.bytes().any(|b| b != b'0') {
                return Err(NumberError::Fraction);
            }
            if frac.len() == 3 {
                return Err(NumberError::NotCount);
            }
            vec![first]
        }
        _ => return Err(NumberError::NotCount),
    };

    let mut v: i128 = 0;
    for b in digits.iter().flat_map(|g| g.bytes()) {
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add(i128::from(b - b'0')))
            .ok_or(NumberError::TooLarge)?;
    }
    if negative {
        v = -v;
    }
    i64::try_from(v).map_err(|_| NumberError::TooLarge)
}

/// `format!("{:.d$}", x)` for x ≥ 0, without the float formatter when x
/// has at most `d` decimals (nearly every stored value): then the scaled
/// value is an integer to within rounding noise and both give the same
/// digits. A national month formats tens of thousands of values.
fn fixed_decimals(x: f64, d: usize) -> String {
    let scale = 10f64.powi(d as i32);
    let scaled = x * scale;
    let rounded = scaled.round();
    if d <= 6 && rounded < 1e15 && (scaled - rounded).abs() < 1e-6 {
        let n = rounded as u64;
        let mut digits = itoa::Buffer::new().format(n).to_owned();
        if d > 0 {
            if digits.len() <= d {
                digits.insert_str(0, &"0".repeat(d + 1 - digits.len()));
            }
            digits.insert(digits.len() - d, '.');
        }
        digits
    } else {
        format!("{x:.d$}")
    }
}

/// Vietnamese prose format: decimal comma, thousands grouped with '.', at most `max_decimals` decimals with trailing zeros trimmed: format_vi(40.7, 2) == "40,7", format_vi(100.0, 2) == "100", format_vi(3090.0, 0) == "3.090", format_vi(24.18, 2) == "24,18".
///
/// Rounds like `format!("{:.N}")`. A value that rounds to zero prints "0"
/// (never "-0"). NaN and infinities print as Rust does ("NaN", "inf", "-inf").
pub fn format_vi(x: f64, max_decimals: usize) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let plain = fixed_decimals(x.abs(), max_decimals);
    let (int, frac) = plain.split_once('.').unwrap_or((plain.as_str(), ""));
    let mut out = String::with_capacity(int.len() + int.len() / 3 + frac.len() + 2);
    push_grouped(
        &mut out,
        x.is_sign_negative(),
        int,
        frac.trim_end_matches('0'),
    );
    out
}

/// Appends decimal digits the Vietnamese way: the minus (never on zero),
/// the whole part grouped by dots, then a comma and `frac` if any.
pub fn push_grouped(out: &mut String, negative: bool, int: &str, frac: &str) {
    let is_zero = frac.is_empty() && int.bytes().all(|b| b == b'0');
    if negative && !is_zero {
        out.push('-');
    }
    let n = int.len();
    for (i, ch) in int.char_indices() {
        if i > 0 && (n - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    if !frac.is_empty() {
        out.push(',');
        out.push_str(frac);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nfd(s: &str) -> String {
        s.nfd().collect()
    }

    #[test]
    fn invisible_characters_are_ignored() {
        let zw = "An V\u{1EF9}\u{200B}";
        assert_eq!(clean(zw), "An Vỹ");
        assert_eq!(clean("\u{FEFF}Tân\u{AD} Dân"), "Tân Dân");
        assert_eq!(match_key(zw), match_key("An Vỹ"));
        assert_eq!(fold(zw), "an vy");
        assert_eq!(collation_key(zw), collation_key("An Vỹ"));
    }

    #[test]
    fn clean_normalises_and_collapses() {
        assert_eq!(clean("  Đồng\u{A0}\u{A0}Tiến\t\n"), "Đồng Tiến");
        assert_eq!(clean("a\u{202F}b"), "a b");
        assert_eq!(clean(&nfd("Việt Hoà")), "Việt Hoà");
        assert_eq!(clean(""), "");
        assert_eq!(clean(" \t "), "");
    }

    #[test]
    fn find_control_finds_cc_and_bidi() {
        assert_eq!(find_control("Đồng Tiến"), None);
        assert_eq!(find_control("a\tb"), Some('\t'));
        assert_eq!(find_control("x\u{202E}y"), Some('\u{202E}'));
        assert_eq!(find_control("x\u{2067}y"), Some('\u{2067}'));
        assert_eq!(find_control("x\u{2028}"), Some('\u{2028}'));
        assert_eq!(find_control("\u{7F}"), Some('\u{7F}'));
        assert_eq!(find_control("\u{85}"), Some('\u{85}'));
        assert_eq!(find_control("a\u{A0}b"), None);
    }

    #[test]
    fn show_escapes_and_cuts() {
        assert_eq!(show("a\tb"), "a\\u{9}b");
        assert_eq!(show("x\u{202E}y"), "x\\u{202e}y");
        assert_eq!(show("Đồng Tiến"), "Đồng Tiến");
        let long = "á".repeat(80);
        let shown = show(&long);
        assert!(shown.ends_with('…'));
        assert_eq!(shown.chars().filter(|&c| !is_combining_mark(c)).count(), 60);
        // NFD input: the cut keeps each tone with its letter.
        let shown = show(&nfd(&long));
        assert!(shown.ends_with("a\u{301}…"));
        let exact = "b".repeat(60);
        assert_eq!(show(&exact), exact);
        let odd: String = (0u8..=0x9F).map(char::from).collect();
        assert_eq!(find_control(&show(&odd)), None);
        assert_eq!(find_control(&show("\u{2066}\u{2069}\u{2029}\r\n")), None);
    }

    #[test]
    fn match_key_ignores_form_tone_place_case_space() {
        let k = match_key("Hoà");
        assert_eq!(k, "hoa1");
        assert_eq!(match_key("Hòa"), k);
        assert_eq!(match_key("HOÀ"), k);
        assert_eq!(match_key("Hoa\u{300}"), k);
        assert_eq!(match_key("Ho\u{300}a"), k);
        assert_ne!(match_key("Hoa"), k);
        assert_eq!(match_key("Thuỵ"), match_key("Thụy"));
        assert_eq!(match_key("Khoẻ"), match_key("Khỏe"));
        assert_eq!(match_key("Qúy"), match_key("Quý"));
        assert_eq!(match_key(&nfd("Việt Hoà")), match_key("Việt Hòa"));
        assert_eq!(match_key("  Việt\u{A0}\tHoà "), match_key("Việt Hoà"));
        assert_eq!(match_key("Thị trấn Khoái Châu"), "thi5 trân4 khoai4 châu");
        // Ð (U+00D0) look-alike reads as Đ.
        assert_eq!(match_key("ÐÔNG"), match_key("Đông"));
    }

    #[test]
    fn match_key_keeps_letters_distinct() {
        let dong = match_key("Đông");
        let dong2 = match_key("Đồng");
        let dong3 = match_key("Dông");
        assert_ne!(dong, dong2);
        assert_ne!(dong2, dong3);
        assert_ne!(dong, dong3);
        assert_ne!(match_key("Đông Tiến"), match_key("Đồng Tiến"));
        assert_ne!(match_key("Ông"), match_key("Ong"));
        assert_ne!(match_key("Ơn"), match_key("Ôn"));
        assert_ne!(match_key("Ăn"), match_key("Ân"));
        assert_ne!(match_key("Ưa"), match_key("Ua"));
        // Tone digit cannot be confused with a written digit.
        assert_ne!(match_key("À"), match_key("A1"));
        assert_eq!(match_key("A1"), "a01");
        assert_eq!(match_key("Bà Rịa-Vũng Tàu"), "ba1 ria5-vung3 tau1");
        // ậ decomposes with the dot below before the circumflex.
        assert_eq!(match_key("Đại Tập"), "đai5 tâp5");
        assert_eq!(match_key("Phường 12"), "phương1 12");
    }

    #[test]
    fn fold_removes_all_marks() {
        assert_eq!(fold("Đồng Tiến"), "dong tien");
        for s in ["Đông", "Đồng", "Dông", "ĐÔNG", "dong", "ÐÔNG"] {
            assert_eq!(fold(s), "dong", "{s}");
        }
        assert!(fold("Việt Hoà").contains("hoa"));
        assert_eq!(fold(&nfd("Nhuế  Dương ")), "nhue duong");
        assert_eq!(fold("한국"), "한국");
    }

    fn key_lt(a: &str, b: &str) {
        assert!(
            collation_key(a) < collation_key(b),
            "{a} should sort before {b}: {:?} vs {:?}",
            collation_key(a),
            collation_key(b)
        );
        assert_eq!(compare_vi(a, b), Ordering::Less, "{a} < {b}");
        assert_eq!(compare_vi(b, a), Ordering::Greater, "{b} > {a}");
    }

    #[test]
    fn collation_pairs() {
        for (a, b) in [
            ("Anh", "Ăn"),
            ("Ăn", "Ân"),
            ("Ong", "Ôn"),
            ("Ông", "Ơn"),
            ("Uy", "Ưa"),
            ("Dz", "Đa"),
            ("ma", "mà"),
            ("mả", "mã"),
            ("a", "A"),
            ("A", "b"),
            ("Ez", "Êa"),
            ("Đz", "E"),
            ("a b", "ab"),
            ("a-b", "a0"),
            ("9", "a"),
            ("10", "9"),
            ("z", "ж"),
            ("Hoa", "Hoà"),
            ("Hoà", "Hoa Bình"),
        ] {
            key_lt(a, b);
        }
    }

    #[test]
    fn collation_tone_order() {
        let tones = ["ma", "mà", "mả", "mã", "má", "mạ"];
        for w in tones.windows(2) {
            key_lt(w[0], w[1]);
        }
        let mut shuffled = ["mạ", "má", "ma", "mã", "mả", "mà"];
        shuffled.sort_by(|a, b| compare_vi(a, b));
        assert_eq!(shuffled, tones);
        // Case is only tertiary: tone decides before it.
        key_lt("Ma", "mà");
    }

    #[test]
    fn collation_ignores_form_and_tone_place() {
        assert_eq!(collation_key("Việt Hoà"), collation_key(&nfd("Việt Hoà")));
        assert_eq!(collation_key("Hoà"), collation_key("Hòa"));
        assert_eq!(collation_key("Thuỵ"), collation_key("Thụy"));
        assert_eq!(
            collation_key("  Hoà \u{A0} Bình"),
            collation_key("Hoà Bình")
        );
        // Equal keys still order totally and consistently.
        assert_ne!(compare_vi("Hoà", "Hòa"), Ordering::Equal);
        assert_eq!(compare_vi("Hoà", &nfd("Hoà")), Ordering::Equal);
        assert_eq!(compare_vi("Hoà", "Hòa"), compare_vi("Hòa", "Hoà").reverse());
    }

    #[test]
    fn compare_vi_agrees_with_keys() {
        let samples = [
            "",
            " ",
            "a",
            "A",
            "à",
            "À",
            "ă",
            "Ă",
            "ằ",
            "ặ",
            "â",
            "ậ",
            "b",
            "đ",
            "Đ",
            "Ð",
            "Hoà",
            "Hòa",
            "HOÀ",
            "Hoa",
            "Hoa Bình",
            "Hoà Bình",
            "Hoà  Bình ",
            "Hoà-Bình",
            "ơ",
            "o\u{302}\u{31B}",
            "o\u{31B}\u{302}",
            "\u{301}\u{323}",
            "\u{323}\u{301}",
            "a\u{308}\u{327}",
            "a\u{327}\u{308}",
            "ấ\u{323}",
            "ậ\u{301}",
            "1",
            "10",
            "9",
            "z",
            "ж",
            "Ж",
            "😀",
            "한",
            "Đông",
            "Đồng",
            "Dông",
            "Tân Dân",
            "Tân Châu",
            "x\u{0}",
        ];
        for a in samples {
            for form in [nfd(a), a.nfc().collect::<String>()] {
                assert_eq!(collation_key(&form), collation_key(a), "{a:?} vs {form:?}");
            }
            for b in samples {
                let expected = collation_key(a)
                    .cmp(&collation_key(b))
                    .then_with(|| a.nfc().cmp(b.nfc()));
                assert_eq!(compare_vi(a, b), expected, "{a:?} vs {b:?}");
            }
        }
        // Canonically equivalent orders give one key.
        assert_eq!(
            collation_key("o\u{302}\u{31B}"),
            collation_key("o\u{31B}\u{302}")
        );
        assert_eq!(collation_key("ấ\u{323}"), collation_key("ậ\u{301}"));
    }

    #[test]
    fn collation_seed_names() {
        let mut names = vec![
            "Thị trấn Khoái Châu",
            "An Vỹ",
            "Bình Kiều",
            "Bình Minh",
            "Chí Tân",
            "Dân Tiến",
            "Dạ Trạch",
            "Hàm Tử",
            "Hồng Tiến",
            "Liên Khê",
            "Nhuế Dương",
            "Phùng Hưng",
            "Thuần Hưng",
            "Thành Công",
            "Tân Châu",
            "Tân Dân",
            "Tứ Dân",
            "Việt Hoà",
            "Ông Đình",
            "Đông Kết",
            "Đông Ninh",
            "Đông Tảo",
            "Đại Hưng",
            "Đại Tập",
            "Đồng Tiến",
        ];
        let expected = [
            "An Vỹ",
            "Bình Kiều",
            "Bình Minh",
            "Chí Tân",
            "Dạ Trạch",
            "Dân Tiến",
            "Đại Hưng",
            "Đại Tập",
            "Đông Kết",
            "Đông Ninh",
            "Đông Tảo",
            "Đồng Tiến",
            "Hàm Tử",
            "Hồng Tiến",
            "Liên Khê",
            "Nhuế Dương",
            "Ông Đình",
            "Phùng Hưng",
            "Tân Châu",
            "Tân Dân",
            "Thành Công",
            "Thị trấn Khoái Châu",
            "Thuần Hưng",
            "Tứ Dân",
            "Việt Hoà",
        ];
        names.sort_by_key(|n| collation_key(n));
        assert_eq!(names, expected);
        for w in expected.windows(2) {
            key_lt(w[0], w[1]);
        }
        // Same order from NFD input.
        let mut decomposed: Vec<String> = expected.iter().rev().map(|n| nfd(n)).collect();
        decomposed.sort_by(|a, b| compare_vi(a, b));
        let back: Vec<String> = decomposed.iter().map(|n| clean(n)).collect();
        assert_eq!(back, expected);
    }

    #[test]
    fn parse_decimal_forms() {
        let ok = [
            ("93.45", 93.45),
            ("93,45", 93.45),
            ("93.45%", 93.45),
            ("93,45 %", 93.45),
            ("93,45\u{A0}%", 93.45),
            ("100", 100.0),
            ("+5", 5.0),
            ("-3.5", -3.5),
            ("\u{2212}3,5", -3.5),
            ("  24,18%  ", 24.18),
            ("0", 0.0),
            ("-0", 0.0),
            ("1.234", 1.234),
        ];
        for (s, v) in ok {
            assert_eq!(parse_decimal(s), Ok(v), "{s:?}");
        }
        let err = [
            ("", NumberError::Empty),
            ("  ", NumberError::Empty),
            ("abc", NumberError::NotDecimal),
            ("1.234,5", NumberError::Ambiguous),
            ("1,234.5", NumberError::Ambiguous),
            ("1.234.567", NumberError::NotDecimal),
            ("3 090", NumberError::NotDecimal),
            ("-", NumberError::NotDecimal),
            ("%", NumberError::NotDecimal),
            (".5", NumberError::NotDecimal),
            ("5.", NumberError::NotDecimal),
            ("1e5", NumberError::NotDecimal),
            ("inf", NumberError::NotDecimal),
            ("NaN", NumberError::NotDecimal),
            ("--5", NumberError::NotDecimal),
            ("5%%", NumberError::NotDecimal),
            ("９", NumberError::NotDecimal),
        ];
        for (s, e) in err {
            assert_eq!(parse_decimal(s), Err(e), "{s:?}");
        }
        assert_eq!(parse_decimal(&"9".repeat(400)), Err(NumberError::TooLarge));
    }

    #[test]
    fn parse_count_forms() {
        let ok = [
            ("3090", 3090),
            ("3.090", 3090),
            ("3,090", 3090),
            ("3 090", 3090),
            ("3\u{A0}090", 3090),
            ("3\u{202F}090", 3090),
            ("1.234.567", 1_234_567),
            ("1 234 567", 1_234_567),
            ("3090.0", 3090),
            ("12,00", 12),
            ("12.0000", 12),
            ("12.000", 12_000),
            ("-1", -1),
            ("+7", 7),
            (" 42 ", 42),
            ("0", 0),
            ("007", 7),
            ("9223372036854775807", i64::MAX),
            ("-9223372036854775808", i64::MIN),
        ];
        for (s, v) in ok {
            assert_eq!(parse_count(s), Ok(v), "{s:?}");
        }
        let err = [
            ("", NumberError::Empty),
            ("abc", NumberError::NotCount),
            ("1.234,5", NumberError::Ambiguous),
            ("3.09", NumberError::Fraction),
            ("12.5", NumberError::Fraction),
            ("0.123", NumberError::Fraction),
            ("1.23.456", NumberError::NotCount),
            ("1.234.56", NumberError::NotCount),
            ("1234.567", NumberError::Fraction),
            ("12.", NumberError::NotCount),
            (".5", NumberError::NotCount),
            ("3  090", NumberError::NotCount),
            ("3 09", NumberError::NotCount),
            ("3 090.5", NumberError::NotCount),
            ("1.234 567", NumberError::NotCount),
            ("50%", NumberError::NotCount),
            ("-", NumberError::NotCount),
            ("9223372036854775808", NumberError::TooLarge),
        ];
        for (s, e) in err {
            assert_eq!(parse_count(s), Err(e), "{s:?}");
        }
        assert_eq!(parse_count(&"9".repeat(400)), Err(NumberError::TooLarge));
    }

    #[test]
    fn error_messages_say_what_is_accepted() {
        assert_eq!(
            NumberError::NotDecimal.to_string(),
            "not a number: expected digits with one decimal comma or dot, like 93,45 or 93.45"
        );
        assert_eq!(
            NumberError::NotCount.to_string(),
            "not a whole number: expected digits, thousands may be grouped like 3.090, 3,090 or 3 090"
        );
        assert!(
            NumberError::Ambiguous
                .to_string()
                .starts_with("ambiguous: both ',' and '.' used")
        );
    }

    #[test]
    fn fixed_decimals_agrees_with_the_float_formatter() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for i in 0..200_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = match i % 4 {
                0 => (x % 1_000_000) as f64 / 100.0,
                1 => (x % 100_000) as f64 / 1000.0,
                2 => f64::from_bits(x).abs() % 1e9,
                _ => (x % 10_000) as f64 * 0.1,
            };
            if !v.is_finite() {
                continue;
            }
            for d in [0, 1, 2, 3] {
                assert_eq!(fixed_decimals(v, d), format!("{v:.d$}"), "{v} with {d}");
            }
        }
    }

    #[test]
    fn format_vi_examples() {
        assert_eq!(format_vi(40.7, 2), "40,7");
        assert_eq!(format_vi(100.0, 2), "100");
        assert_eq!(format_vi(3090.0, 0), "3.090");
        assert_eq!(format_vi(24.18, 2), "24,18");
        assert_eq!(format_vi(1_234_567.891, 2), "1.234.567,89");
        assert_eq!(format_vi(999.996, 2), "1.000");
        assert_eq!(format_vi(-3.5, 1), "-3,5");
        assert_eq!(format_vi(0.05, 2), "0,05");
        assert_eq!(format_vi(1.005, 2), "1");
        assert_eq!(format_vi(-0.001, 2), "0");
        assert_eq!(format_vi(-0.0, 2), "0");
        assert_eq!(format_vi(0.5, 0), "0");
        assert_eq!(format_vi(12.0, 0), "12");
        assert_eq!(format_vi(123.0, 3), "123");
        assert_eq!(format_vi(f64::NAN, 2), "NaN");
        assert_eq!(format_vi(f64::INFINITY, 2), "inf");
        // Round trip through the parser.
        assert_eq!(parse_decimal(&format_vi(93.45, 2)), Ok(93.45));
        assert_eq!(parse_count(&format_vi(1_234_567.0, 0)), Ok(1_234_567));
    }

    #[test]
    fn alphabet_table_matches_order() {
        let alphabet = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z";
        let keys: Vec<Vec<u8>> = alphabet.split(' ').map(collation_key).collect();
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(k[..2], [P_LETTER, i as u8 + 1], "letter {i}");
        }
    }

    #[test]
    fn odd_input_never_panics() {
        let odd = [
            "",
            " ",
            "\u{301}",
            "\u{301}\u{301}",
            " \u{323}a",
            "1\u{301}",
            "😀",
            "👨‍👩‍👧",
            "Đ\u{323}",
            "Ð\u{300}",
            "a\u{302}\u{302}\u{300}\u{301}\u{308}",
            "\u{0}\u{1}\u{7F}",
            "\u{10FFFF}",
            "\u{FEFF}",
            "İ",
            "ǅ",
            "ẞ",
            "한국어",
            "\u{E0100}",
            "\t\n\r",
            "%",
            "-",
            "+",
            ".",
            ",",
            "1e5",
            "९",
        ];
        for s in odd {
            let _ = clean(s);
            let _ = find_control(s);
            assert_eq!(find_control(&show(s)), None);
            let _ = match_key(s);
            let _ = fold(s);
            let k = collation_key(s);
            assert_eq!(compare_vi(s, s), Ordering::Equal);
            assert!(k.contains(&0));
            let _ = parse_decimal(s);
            let _ = parse_count(s);
        }
        // Orphan marks stay literal in the match key, not a tone digit.
        assert_eq!(match_key("\u{301}"), "\u{301}");
        assert_eq!(match_key("1\u{301}"), "1\u{301}");
        assert_eq!(fold("Đ\u{323}"), "d");
        for x in [f64::MAX, f64::MIN, f64::MIN_POSITIVE, 1e300, -1e-300] {
            let _ = format_vi(x, 0);
            let _ = format_vi(x, 40);
        }
    }
}
