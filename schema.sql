-- chiso database schema, version 4.
--
-- This file is the single source of the schema: the binary embeds it and runs
-- it on `chiso init`. Upgrades of an existing file are the numbered steps in
-- src/db/migrate.rs, keyed by PRAGMA user_version.
--
-- Conventions: STRICT tables; a period is TEXT 'YYYY-MM' (a month), 'YYYY-Qn'
-- (a quarter) or 'YYYY' (a year), keyed as below; a missing value is an
-- absent row, never 0; times are UTC ISO-8601 text.

-- What a value means. A new metric is a row here, not code.
CREATE TABLE metrics (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE CHECK (code GLOB '[a-z]*' AND code NOT GLOB '*[^a-z0-9_]*'),
    label       TEXT NOT NULL,                 -- header as the office prints it
    kind        TEXT NOT NULL CHECK (kind IN ('percent', 'points', 'count', 'label')),
    min_value   REAL,                          -- numeric kinds: inclusive range
    max_value   REAL,
    labels      TEXT,                          -- kind 'label': allowed labels, best first, '|'-separated
    sort_order  INTEGER NOT NULL,              -- column order in tables and exports
    CHECK ((kind = 'label') = (labels IS NOT NULL)),
    CHECK (kind = 'label' OR (min_value IS NOT NULL AND min_value <= coalesce(max_value, min_value)))
) STRICT;

-- Other header spellings that name a metric in imported files. Matching
-- ignores accents, case, spacing and a trailing "(%)" or "%", so only
-- genuinely different wordings need a row.
CREATE TABLE metric_headers (
    header      TEXT PRIMARY KEY,
    metric_id   INTEGER NOT NULL REFERENCES metrics(id) ON DELETE CASCADE
) STRICT;

INSERT INTO metrics (id, code, label, kind, min_value, max_value, labels, sort_order) VALUES
    (1,  'processing',       'Kết quả xử lý hồ sơ (%)',               'percent', 0, 100,  NULL, 10),
    (2,  'satisfaction',     'Tỷ lệ mức độ hài lòng (%)',             'percent', 0, 100,  NULL, 20),
    (3,  'online_payment',   'Tỷ lệ hồ sơ thanh toán trực tuyến (%)', 'percent', 0, 100,  NULL, 30),
    (4,  'score',            'Điểm tổng hợp',                         'points',  0, 100,  NULL, 40),
    (5,  'digitization',     'Kết quả tỷ lệ số hoá (%)',              'percent', 0, 100,  NULL, 50),
    (6,  'e_copies',         'Kết quả cấp bản sao điện tử',           'count',   0, NULL, NULL, 60),
    (7,  'rating',           'Kết quả đánh giá',                      'label',   NULL, NULL,
                             'Xuất sắc|Tốt|Khá|Trung bình|Yếu', 70),
    (8,  'g_transparency',   'Công khai, minh bạch',                  'points',  0, 18,   NULL, 110),
    (9,  'g_progress',       'Tiến độ, kết quả giải quyết',           'points',  0, 20,   NULL, 120),
    (10, 'g_online_service', 'Dịch vụ công trực tuyến',               'points',  0, 12,   NULL, 130),
    (11, 'g_online_payment', 'Thanh toán trực tuyến',                 'points',  0, 10,   NULL, 140),
    (12, 'g_satisfaction',   'Mức độ hài lòng',                       'points',  0, 18,   NULL, 150),
    (13, 'g_digitization',   'Số hóa hồ sơ',                          'points',  0, 22,   NULL, 160);

INSERT INTO metric_headers (header, metric_id) VALUES
    ('Kết quả xử lý hồ sơ TTHC', 1),
    ('Tỷ lệ xử lý hồ sơ đúng hạn', 1),
    ('Tỷ lệ hài lòng', 2),
    ('Mức độ hài lòng của người dân', 2),
    ('Mức độ hài lòng (%)', 2),
    ('Thanh toán trực tuyến (%)', 3),
    ('Tổng điểm', 4),
    ('Điểm', 4),
    ('Kết quả tỷ lệ số hóa hồ sơ', 5),
    ('Tỷ lệ số hóa hồ sơ', 5),
    ('Số hóa (%)', 5),
    ('Bản sao điện tử', 6),
    ('Xếp loại', 7),
    ('Đánh giá', 7),
    ('Tiến độ giải quyết', 9),
    ('Cung cấp dịch vụ trực tuyến', 10);

-- The issuing level (exactly one row with is_parent = 1) and the units under it.
-- A unit exists from `valid_from` (a month key YYYYMM; NULL: always did) up
-- to, not including, `valid_until` (NULL: still does). `valid_until` is
-- derived: the earliest month of the unit's rows in `unit_lineage`. Two
-- units may share a name when the months they exist in do not overlap
-- (checked by chiso, src/db/lineage.rs), so `match_key` is not unique.
CREATE TABLE units (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,                 -- NFC, as the office spells it
    kind        TEXT NOT NULL CHECK (kind IN ('tinh', 'thanh_pho', 'huyen', 'thi_xa', 'quan',
                                               'xa', 'phuong', 'thi_tran', 'dac_khu', 'co_quan')),
    is_parent   INTEGER NOT NULL DEFAULT 0 CHECK (is_parent IN (0, 1)),
    match_key   TEXT NOT NULL,                 -- text::match_key(name)
    sort_key    BLOB NOT NULL,                 -- text::collation_key(name)
    created_at  TEXT NOT NULL,
    valid_from  INTEGER CHECK (valid_from BETWEEN 190001 AND 299912),
    valid_until INTEGER CHECK (valid_until BETWEEN 190001 AND 299912),
    CHECK (name <> '' AND name = trim(name)),
    CHECK (valid_from IS NULL OR valid_until IS NULL OR valid_from < valid_until)
) STRICT;
CREATE UNIQUE INDEX units_one_parent ON units(is_parent) WHERE is_parent = 1;
CREATE INDEX units_by_sort ON units(sort_key);
CREATE INDEX units_by_key ON units(match_key);

-- Names a unit had before a rename that took effect in `until_period`
-- (`chiso units rename --from`): the unit was called `name` in the months
-- before it. Months from then on use the next name (or units.name).
CREATE TABLE unit_names (
    unit_id      INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    until_period INTEGER NOT NULL CHECK (until_period BETWEEN 190001 AND 299912),
    name         TEXT NOT NULL CHECK (name <> '' AND name = trim(name)),
    match_key    TEXT NOT NULL,
    sort_key     BLOB NOT NULL,
    PRIMARY KEY (unit_id, until_period)
) STRICT;
CREATE INDEX unit_names_by_key ON unit_names(match_key);

-- Merges, splits and ends (the 2025 reform's resolutions): from month
-- `period_id`, `from_unit` no longer exists and `to_unit` takes the whole
-- of it or a part. `to_unit` NULL: the unit ends with no successor (a
-- district in 7/2025). A unit may continue enlarged: then it is a
-- `to_unit` without a new `valid_from`.
CREATE TABLE unit_lineage (
    id           INTEGER PRIMARY KEY,
    from_unit    INTEGER NOT NULL REFERENCES units(id),
    to_unit      INTEGER REFERENCES units(id),
    period_id    INTEGER NOT NULL CHECK (period_id BETWEEN 190001 AND 299912 AND period_id % 100 BETWEEN 1 AND 12),
    scope        TEXT NOT NULL CHECK (scope IN ('whole', 'part')),
    changeset_id INTEGER NOT NULL REFERENCES changesets(id),
    CHECK (to_unit IS NULL OR to_unit <> from_unit)
) STRICT;
CREATE UNIQUE INDEX unit_lineage_edge ON unit_lineage(from_unit, coalesce(to_unit, 0));
CREATE INDEX unit_lineage_to ON unit_lineage(to_unit);

-- Other spellings of a unit's name (and its names before a rename).
CREATE TABLE unit_aliases (
    match_key   TEXT PRIMARY KEY,              -- text::match_key(alias)
    alias       TEXT NOT NULL,
    unit_id     INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL
) STRICT;

-- Periods: months, quarters and years, each the portal's own figures (a
-- quarter's are not its months' average). `id` is the key the value tables
-- use: YYYYMM for a month (202408), YYYY20+n for quarter n (202523), YYYY00
-- for a year (202500); integer keys compare several times faster than text
-- in a national import. The kinds never mix: a month's values are not a
-- quarter's, and a period is compared only with periods of its kind.
CREATE TABLE periods (
    id          INTEGER PRIMARY KEY CHECK (id BETWEEN 190000 AND 299924
                    AND (id % 100 BETWEEN 0 AND 12 OR id % 100 BETWEEN 21 AND 24)),
    period      TEXT NOT NULL UNIQUE CHECK (period = CASE
                    WHEN id % 100 = 0 THEN printf('%04d', id / 100)
                    WHEN id % 100 > 20 THEN printf('%04d-Q%d', id / 100, id % 100 - 20)
                    ELSE printf('%04d-%02d', id / 100, id % 100) END)
) STRICT;

-- A unit's values for one month: one row per (period, unit), the values as
-- a JSON object keyed by metric code, e.g.
--   {"processing":100,"online_payment":90.48,"e_copies":2636,"rating":"Tốt"}
-- Each (unit, period, metric) has at most one value; a metric with no value
-- is an absent key, never 0, and a unit with none that month has no row.
-- One row per unit-month rather than per value keeps a national month
-- (10,035 units × 7 metrics) to 10,035 row writes; see the benchmark in
-- README.md. Keys, kinds and ranges are checked against `metrics` by chiso
-- before every write (src/import/value.rs, src/db/values.rs); triggers doing
-- the same cost 3-7 µs per row, a third of the import budget, so the
-- database checks only what a CHECK can: valid JSON, an object, not empty.
CREATE TABLE unit_values (
    period_id   INTEGER NOT NULL REFERENCES periods(id),
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    vals        TEXT NOT NULL CHECK (json_valid(vals) AND substr(vals, 1, 1) = '{' AND vals <> '{}'),
    PRIMARY KEY (period_id, unit_id)
) STRICT, WITHOUT ROWID;

-- One row per stored value, for queries and outside tools.
CREATE VIEW metric_values AS
    SELECT p.period, v.unit_id, m.id AS metric_id, m.code AS metric, j.value AS value
    FROM unit_values v JOIN periods p ON p.id = v.period_id, json_each(v.vals) j
    JOIN metrics m ON m.code = j.key;

-- One row per command that wrote anything: who, when, how.
CREATE TABLE changesets (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    os_user     TEXT NOT NULL,
    ssh_client  TEXT,                          -- from SSH_CONNECTION, when set
    source      TEXT NOT NULL CHECK (source IN ('import', 'set', 'units', 'init', 'edit', 'paste', 'undo', 'rules', 'settings')),
    command     TEXT NOT NULL                  -- what was run, for the log
) STRICT;

-- Provenance of each imported file.
CREATE TABLE imports (
    id            INTEGER PRIMARY KEY,
    changeset_id  INTEGER NOT NULL REFERENCES changesets(id),
    file_name     TEXT NOT NULL,
    sha256        TEXT NOT NULL CHECK (length(sha256) = 64),
    format        TEXT NOT NULL,
    period        TEXT NOT NULL REFERENCES periods(period),
    rows          INTEGER NOT NULL CHECK (rows >= 0),
    values_new    INTEGER NOT NULL CHECK (values_new >= 0),
    values_changed INTEGER NOT NULL CHECK (values_changed >= 0),
    values_unchanged INTEGER NOT NULL CHECK (values_unchanged >= 0)
) STRICT;

-- Every value an import, `set` or edit changed, grouped per unit, month and
-- file: `new` has every changed metric code (null: the value was removed),
-- `old` the values they had (a missing key: there was none). So
-- {} → {"processing":100} is a new value.
CREATE TABLE value_changes (
    id            INTEGER PRIMARY KEY,
    changeset_id  INTEGER NOT NULL REFERENCES changesets(id),
    import_id     INTEGER REFERENCES imports(id),
    period_id     INTEGER NOT NULL,
    unit_id       INTEGER NOT NULL,
    -- Written only through src/db/values.rs; a json_valid() CHECK here
    -- would parse both objects again on every row of a national import.
    old           TEXT NOT NULL CHECK (substr(old, 1, 1) = '{'),
    new           TEXT NOT NULL CHECK (substr(new, 1, 1) = '{')
) STRICT;
CREATE INDEX value_changes_by_cell ON value_changes(period_id, unit_id);

-- The change log, one row per changed value, with who, when and from where.
CREATE VIEW value_history AS
    SELECT c.id, s.at, s.os_user, s.ssh_client, s.source, s.command,
           i.file_name, i.sha256, p.period, c.unit_id, u.name AS unit,
           j.key AS metric, json_extract(c.old, '$."' || j.key || '"') AS old_value,
           j.value AS new_value
    FROM value_changes c
    JOIN changesets s ON s.id = c.changeset_id
    LEFT JOIN imports i ON i.id = c.import_id
    JOIN units u ON u.id = c.unit_id
    JOIN periods p ON p.id = c.period_id,
    json_each(c.new) j;

-- Changes to units and aliases (add, alias, rename) and their lineage (start,
-- merge, split, end, unlink), for the same audit trail.
CREATE TABLE unit_changes (
    id            INTEGER PRIMARY KEY,
    changeset_id  INTEGER NOT NULL REFERENCES changesets(id),
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    action        TEXT NOT NULL CHECK (action IN ('add', 'alias', 'rename', 'kind', 'start',
                                                  'merge', 'split', 'end', 'unlink')),
    old_text      TEXT,
    new_text      TEXT
) STRICT;

-- Rules that decide which units need corrective directives. Data, not code:
-- `chiso rules set` edits them. Kinds:
--   below         value < threshold
--   band          threshold <= value < upper
--   drop          value < the compared period's value - threshold (threshold 0: any fall)
--   below_parent  value < the parent unit's value that month
--   label_worse   a label ranked below `label` in the metric's list (best first)
--   missing       no value for a metric that other units have that month (metric NULL: any)
-- `sentence` heads the rule's block in reports; `directive` is what a unit
-- must do. Placeholders: {count} {total} {units} {unit} {value} {previous}
-- {reference} {threshold} {upper} {label} {metric} {month} {previous_month}
-- {next_month} {parent}.
CREATE TABLE rules (
    code        TEXT PRIMARY KEY CHECK (code GLOB '[a-z]*' AND code NOT GLOB '*[^a-z0-9_]*'),
    kind        TEXT NOT NULL CHECK (kind IN ('below', 'band', 'drop', 'below_parent', 'label_worse', 'missing')),
    metric      TEXT REFERENCES metrics(code),
    threshold   REAL,
    upper       REAL,
    label       TEXT,
    severity    TEXT NOT NULL CHECK (severity IN ('critical', 'warning')),
    enabled     INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    sentence    TEXT NOT NULL,
    directive   TEXT NOT NULL,
    sort_order  INTEGER NOT NULL,
    unit_group  TEXT NOT NULL DEFAULT 'all' CHECK (unit_group IN ('all', 'co_quan', 'huyen', 'xa')),
    -- A drop rule compares with the period before (of the same kind) or
    -- the same period a year before (cùng kỳ năm trước).
    compare     TEXT NOT NULL DEFAULT 'previous' CHECK (compare IN ('previous', 'last_year')),
    CHECK (kind = 'missing' OR metric IS NOT NULL),
    CHECK (kind NOT IN ('below', 'band') OR threshold IS NOT NULL),
    CHECK (kind <> 'band' OR (upper IS NOT NULL AND upper > threshold)),
    CHECK (kind <> 'label_worse' OR label IS NOT NULL)
) STRICT;

INSERT INTO rules (code, kind, metric, threshold, upper, label, severity, sort_order, sentence, directive) VALUES
    ('processing_late', 'below', 'processing', 100, NULL, NULL, 'critical', 10,
     '{count}/{total} {units} có kết quả xử lý hồ sơ chưa đạt {threshold}%',
     'Chủ tịch UBND {unit} chỉ đạo bộ phận một cửa rà soát, giải quyết dứt điểm các hồ sơ chậm, quá hạn (kết quả xử lý hồ sơ {month} chỉ đạt {value}), bảo đảm đạt 100% trong {next_month}.'),
    ('digitization_low', 'below', 'digitization', 40, NULL, NULL, 'critical', 20,
     '{count}/{total} {units} có tỷ lệ số hoá hồ sơ dưới {threshold}%',
     'Chủ tịch UBND {unit} chỉ đạo cán bộ một cửa khẩn trương khắc phục ngay hạn chế, tăng cường tỷ lệ số hoá hồ sơ, kết quả giải quyết TTHC (hiện đạt {value}) trong {next_month} và các tháng tiếp theo.'),
    ('digitization_weak', 'band', 'digitization', 40, 50, NULL, 'warning', 30,
     '{count}/{total} {units} có tỷ lệ số hoá hồ sơ chỉ từ {threshold}% đến dưới {upper}%',
     'UBND {unit} đẩy mạnh số hoá hồ sơ, kết quả giải quyết TTHC (hiện đạt {value}), không để tỷ lệ số hoá tiếp tục ở mức thấp.'),
    ('digitization_drop', 'drop', 'digitization', 0, NULL, NULL, 'warning', 40,
     '{count}/{total} {units} có tỷ lệ số hoá giảm so với {previous_month}',
     'UBND {unit} rà soát nguyên nhân tỷ lệ số hoá giảm ({previous} → {value}), có giải pháp khắc phục ngay, không để kết quả chững, giảm trong {next_month}.'),
    ('online_payment_below_parent', 'below_parent', 'online_payment', NULL, NULL, NULL, 'warning', 50,
     '{count}/{total} {units} có tỷ lệ hồ sơ thanh toán trực tuyến thấp hơn kết quả chung của {parent} ({reference})',
     'UBND {unit} tuyên truyền, hướng dẫn người dân, doanh nghiệp thanh toán phí, lệ phí trực tuyến, nâng tỷ lệ hồ sơ thanh toán trực tuyến (hiện đạt {value}) tối thiểu bằng kết quả chung của {parent}.'),
    ('satisfaction_low', 'below', 'satisfaction', 90, NULL, NULL, 'warning', 60,
     '{count}/{total} {units} có tỷ lệ mức độ hài lòng dưới {threshold}%',
     'UBND {unit} rà soát các phản ánh, kiến nghị, nâng cao chất lượng phục vụ, bảo đảm tỷ lệ hài lòng (hiện đạt {value}) từ {threshold}% trở lên.'),
    ('rating_below_good', 'label_worse', 'rating', NULL, NULL, 'Tốt', 'critical', 70,
     '{count}/{total} {units} có kết quả đánh giá dưới mức "{label}"',
     'Chủ tịch UBND {unit} kiểm điểm, làm rõ nguyên nhân kết quả đánh giá {month} chỉ đạt mức "{value}", có giải pháp cải thiện ngay các nhóm chỉ số đang ở mức thấp.'),
    ('missing_data', 'missing', NULL, NULL, NULL, NULL, 'warning', 80,
     '{count}/{total} {units} chưa có đủ số liệu {month}',
     'UBND {unit} kiểm tra, cập nhật đầy đủ số liệu {metric} {month} trên Cổng Dịch vụ công.');

-- Findings streaks already counted, one row per period: derived data that
-- saves walking back through every earlier month (src/rules/cache.rs).
-- `stamp` hashes what the streaks depend on besides values (rules,
-- catalog, units); writing a month's values deletes its row and every
-- later one. Safe to delete at any time.
CREATE TABLE streak_cache (
    period_id   INTEGER PRIMARY KEY REFERENCES periods(id),
    stamp       TEXT NOT NULL,
    data        BLOB NOT NULL
) STRICT;

-- Settings of the office: key, value. Keys chiso reads:
--   escalate_after   a critical finding this many months running is escalated
--   accountability   the sentence an escalated directive gains (placeholders as above)
CREATE TABLE settings (
    key         TEXT PRIMARY KEY CHECK (key GLOB '[a-z]*'),
    value       TEXT NOT NULL
) STRICT;

INSERT INTO settings (key, value) VALUES
    ('escalate_after', '2'),
    ('accountability', 'Nếu {unit} vẫn để kết quả thấp thì Chủ tịch UBND {unit} chịu trách nhiệm trước Chủ tịch UBND {parent}.');
