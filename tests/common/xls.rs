//! A minimal .xls writer for tests: BIFF8 records (BOF, BOUNDSHEET, SST,
//! NUMBER, RK, MULRK, LABELSST, LABEL, FORMULA, EOF) in the Workbook
//! stream of a Compound File, as Excel 97–2003 saves them. Enough for
//! chiso's reader and calamine's to read; no formats, fonts or styles.

use std::io::{Cursor, Write as _};

/// BIFF8 records hold at most this many data bytes; more go on in
/// CONTINUE records.
const MAX_DATA: usize = 8224;

/// A workbook being written: sheets of raw cell records, and the shared
/// strings their LABELSST records point into.
#[derive(Default)]
pub struct Xls {
    sheets: Vec<(String, Vec<u8>)>,
    strings: Vec<String>,
}

/// One record: type, length, data.
pub fn record(typ: u16, data: &[u8]) -> Vec<u8> {
    assert!(data.len() <= MAX_DATA, "record 0x{typ:04X} too long");
    let mut out = Vec::with_capacity(4 + data.len());
    out.extend_from_slice(&typ.to_le_bytes());
    out.extend_from_slice(&(data.len() as u16).to_le_bytes());
    out.extend_from_slice(data);
    out
}

/// Row, column and format index: how every cell record starts.
fn cell_head(row: u16, col: u16) -> Vec<u8> {
    [row.to_le_bytes(), col.to_le_bytes(), 0u16.to_le_bytes()].concat()
}

/// XLUnicodeString: 16-bit count, a flags byte, then the characters as
/// Latin-1 bytes when they all fit, else UTF-16LE.
pub fn unicode_string(s: &str) -> Vec<u8> {
    let units: Vec<u16> = s.encode_utf16().collect();
    let mut out = (units.len() as u16).to_le_bytes().to_vec();
    push_chars(&mut out, &units);
    out
}

/// The flags byte and the characters of a string.
fn push_chars(out: &mut Vec<u8>, units: &[u16]) {
    if units.iter().all(|&u| u < 256) {
        out.push(0);
        out.extend(units.iter().map(|&u| u as u8));
    } else {
        out.push(1);
        out.extend(units.iter().flat_map(|u| u.to_le_bytes()));
    }
}

impl Xls {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a worksheet; returns its index for the cell methods.
    pub fn sheet(&mut self, name: &str) -> usize {
        self.sheets.push((name.to_owned(), Vec::new()));
        self.sheets.len() - 1
    }

    /// Appends a raw record to a sheet's substream.
    pub fn raw(&mut self, sheet: usize, typ: u16, data: &[u8]) {
        self.sheets[sheet].1.extend(record(typ, data));
    }

    /// NUMBER: a 64-bit float.
    pub fn number(&mut self, sheet: usize, row: u16, col: u16, v: f64) {
        let data = [cell_head(row, col), v.to_le_bytes().to_vec()].concat();
        self.raw(sheet, 0x0203, &data);
    }

    /// RK: a whole number in 30 bits, as Excel stores small integers.
    pub fn rk(&mut self, sheet: usize, row: u16, col: u16, v: i32) {
        let data = [cell_head(row, col), ((v << 2) | 2).to_le_bytes().to_vec()].concat();
        self.raw(sheet, 0x027E, &data);
    }

    /// MULRK: a run of RK numbers in one row from `col` on; each value is
    /// stored as hundredths (the ×100 flag), as Excel does for 12.5.
    pub fn mulrk(&mut self, sheet: usize, row: u16, col: u16, values: &[f64]) {
        let mut data = [row.to_le_bytes(), col.to_le_bytes()].concat();
        for v in values {
            let hundredths = (v * 100.0).round() as i32;
            data.extend_from_slice(&0u16.to_le_bytes());
            data.extend_from_slice(&((hundredths << 2) | 3).to_le_bytes());
        }
        data.extend_from_slice(&(col + values.len() as u16 - 1).to_le_bytes());
        self.raw(sheet, 0x00BD, &data);
    }

    /// LABELSST: text kept once in the shared string table.
    pub fn text(&mut self, sheet: usize, row: u16, col: u16, s: &str) {
        let i = match self.strings.iter().position(|x| x == s) {
            Some(i) => i,
            None => {
                self.strings.push(s.to_owned());
                self.strings.len() - 1
            }
        };
        self.text_ref(sheet, row, col, i as u32);
    }

    /// LABELSST pointing at shared string `index` (which may not exist).
    pub fn text_ref(&mut self, sheet: usize, row: u16, col: u16, index: u32) {
        let data = [cell_head(row, col), index.to_le_bytes().to_vec()].concat();
        self.raw(sheet, 0x00FD, &data);
    }

    /// Adds a shared string nothing points at yet; returns its index.
    pub fn shared(&mut self, s: &str) -> u32 {
        self.strings.push(s.to_owned());
        self.strings.len() as u32 - 1
    }

    /// LABEL: text inside the cell record (older writers, LibreOffice).
    pub fn label(&mut self, sheet: usize, row: u16, col: u16, s: &str) {
        let data = [cell_head(row, col), unicode_string(s)].concat();
        self.raw(sheet, 0x0204, &data);
    }

    /// FORMULA whose last result was a number; the formula itself (a
    /// constant) is not what a reader should show.
    pub fn formula_number(&mut self, sheet: usize, row: u16, col: u16, v: f64) {
        let mut data = cell_head(row, col);
        data.extend_from_slice(&v.to_le_bytes());
        data.extend_from_slice(&[0; 6]); // flags, chn
        data.extend_from_slice(&formula_constant());
        self.raw(sheet, 0x0006, &data);
    }

    /// FORMULA whose last result was text: the text follows in a STRING
    /// record.
    pub fn formula_text(&mut self, sheet: usize, row: u16, col: u16, s: &str) {
        let mut data = cell_head(row, col);
        data.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0xFF, 0xFF]);
        data.extend_from_slice(&[0; 6]);
        data.extend_from_slice(&formula_constant());
        self.raw(sheet, 0x0006, &data);
        self.raw(sheet, 0x0207, &unicode_string(s));
    }

    /// The whole file: a Compound File holding the Workbook stream.
    pub fn bytes(&self) -> Vec<u8> {
        cfb_file(&self.stream())
    }

    /// The Workbook stream: globals, then each sheet's substream.
    pub fn stream(&self) -> Vec<u8> {
        let globals = |offsets: &[u32]| {
            let mut g = record(0x0809, &bof(0x0005));
            g.extend(record(0x0042, &1200u16.to_le_bytes())); // CODEPAGE: UTF-16
            for ((name, _), at) in self.sheets.iter().zip(offsets) {
                let units: Vec<u16> = name.encode_utf16().collect();
                let mut data = at.to_le_bytes().to_vec();
                data.extend_from_slice(&[0, 0, units.len() as u8]);
                push_chars(&mut data, &units);
                g.extend(record(0x0085, &data));
            }
            g.extend(sst_records(&self.strings));
            g.extend(record(0x000A, &[]));
            g
        };
        let len = globals(&vec![0; self.sheets.len()]).len() as u32;
        let mut offsets = Vec::new();
        let mut at = len;
        let substreams: Vec<Vec<u8>> = self
            .sheets
            .iter()
            .map(|(_, cells)| {
                let mut s = record(0x0809, &bof(0x0010));
                s.extend_from_slice(cells);
                s.extend(record(0x000A, &[]));
                s
            })
            .collect();
        for s in &substreams {
            offsets.push(at);
            at += s.len() as u32;
        }
        let mut out = globals(&offsets);
        assert_eq!(out.len() as u32, len);
        for s in substreams {
            out.extend(s);
        }
        out
    }
}

/// BOF of BIFF8 for the globals (0x0005) or a worksheet (0x0010).
fn bof(dt: u16) -> Vec<u8> {
    [
        &0x0600u16.to_le_bytes()[..],
        &dt.to_le_bytes(),
        &0x0DBBu16.to_le_bytes(),
        &0x07CCu16.to_le_bytes(),
        &0u32.to_le_bytes(),
        &6u32.to_le_bytes(),
    ]
    .concat()
}

/// The rest of a FORMULA record: its parsed expression, the number 1
/// (ptgInt).
fn formula_constant() -> Vec<u8> {
    vec![3, 0, 0x1E, 1, 0]
}

/// SST and its CONTINUE records, split as the format requires: a
/// string's header never breaks, and characters that go on in the next
/// record start it with a fresh flags byte.
pub fn sst_records(strings: &[String]) -> Vec<u8> {
    let mut records: Vec<Vec<u8>> = Vec::new();
    let total = strings.len() as u32;
    let mut cur = [total.to_le_bytes(), total.to_le_bytes()].concat();
    for s in strings {
        let units: Vec<u16> = s.encode_utf16().collect();
        let wide = units.iter().any(|&u| u >= 256);
        let size = if wide { 2 } else { 1 };
        if cur.len() + 3 + size > MAX_DATA {
            records.push(std::mem::take(&mut cur));
        }
        cur.extend_from_slice(&(units.len() as u16).to_le_bytes());
        cur.push(wide as u8);
        let mut rest = &units[..];
        while !rest.is_empty() {
            let room = (MAX_DATA - cur.len()) / size;
            if room == 0 {
                records.push(std::mem::take(&mut cur));
                cur.push(wide as u8);
                continue;
            }
            let (now, later) = rest.split_at(room.min(rest.len()));
            for &u in now {
                if wide {
                    cur.extend_from_slice(&u.to_le_bytes());
                } else {
                    cur.push(u as u8);
                }
            }
            rest = later;
        }
    }
    records.push(cur);
    let mut out = Vec::new();
    for (i, r) in records.iter().enumerate() {
        out.extend(record(if i == 0 { 0x00FC } else { 0x003C }, r));
    }
    out
}

/// A Compound File with one stream, "Workbook".
pub fn cfb_file(stream: &[u8]) -> Vec<u8> {
    // Version 3 (512-byte sectors), as Excel writes.
    let mut file =
        cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new())).unwrap();
    {
        let mut s = file.create_stream("/Workbook").unwrap();
        s.write_all(stream).unwrap();
    }
    file.flush().unwrap();
    file.into_inner().into_inner()
}
