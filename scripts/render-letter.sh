#!/usr/bin/env bash
# Renders a month's công văn (DOCX) and its annex workbook (XLSX) to PDF and
# PNG pages with LibreOffice, to look at the layout as it prints. Not part of
# CI: it installs LibreOffice with apt when missing.
#
#   scripts/render-letter.sh DB PERIOD [OUTDIR] [--date YYYY-MM-DD]
#   scripts/render-letter.sh FILE.docx|FILE.xlsx ... [OUTDIR]
#
# The letter and the annexes are written with `chiso report` and
# `chiso export --annexes` (the binary: $CHISO, else `chiso` on PATH, else
# `cargo run --release`). OUTDIR defaults to ./render; its files are
# replaced. DPI ($DPI, default 60) sets the PNGs' resolution.
set -euo pipefail

usage() {
    sed -n '6,7p' "$0" | sed 's/^# *//' >&2
    exit 2
}

# Installs what is missing: LibreOffice writer and calc without a GUI,
# pdftoppm, and Liberation Serif with its Vietnamese letters (it has Times
# New Roman's widths; version 1, still in Debian's fonts-liberation, lacks
# Ộ, Ủ, Ệ …, which fonts-liberation2 has).
ensure_tools() {
    local missing=()
    command -v soffice >/dev/null || missing+=(libreoffice-writer-nogui libreoffice-calc-nogui)
    command -v pdftoppm >/dev/null || missing+=(poppler-utils)
    fc-list ':lang=vi' family 2>/dev/null | grep -q 'Liberation Serif' ||
        missing+=(fonts-liberation)
    if [ "${#missing[@]}" -gt 0 ]; then
        local sudo=()
        [ "$(id -u)" -eq 0 ] || sudo=(sudo)
        "${sudo[@]}" apt-get update -q
        if [[ " ${missing[*]} " == *" fonts-liberation "* ]] &&
            apt-cache show fonts-liberation2 >/dev/null 2>&1; then
            missing+=(fonts-liberation2)
        fi
        echo "installing: ${missing[*]}" >&2
        DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q \
            --no-install-recommends "${missing[@]}"
    fi
}

chiso() {
    if [ -n "${CHISO:-}" ]; then
        "$CHISO" "$@"
    elif command -v chiso >/dev/null; then
        command chiso "$@"
    else
        cargo run --quiet --release --manifest-path "$(dirname "$0")/../Cargo.toml" -- "$@"
    fi
}

# A profile of its own, so a LibreOffice already running (or another run of
# this script) does not swallow the conversion.
PROFILE=$(mktemp -d)
trap 'rm -rf "$PROFILE"' EXIT

render() {
    local file=$1 out=$2 base
    base=$(basename "${file%.*}")
    soffice -env:UserInstallation="file://$PROFILE" --headless \
        --convert-to pdf --outdir "$out" "$file" >/dev/null
    rm -f "$out/$base"-*.png
    pdftoppm -png -r "${DPI:-60}" "$out/$base.pdf" "$out/$base"
    local pages
    pages=$(find "$out" -maxdepth 1 -name "$base-*.png" | wc -l)
    echo "$out/$base.pdf: $pages page(s), PNG $out/$base-N.png"
}

[ $# -ge 1 ] || usage
files=()
out=render
case "$1" in
*.docx | *.xlsx)
    for a in "$@"; do
        case "$a" in
        *.docx | *.xlsx) files+=("$a") ;;
        *) out=$a ;;
        esac
    done
    mkdir -p "$out"
    ;;
*)
    [ $# -ge 2 ] || usage
    db=$1 period=$2
    shift 2
    date=()
    while [ $# -gt 0 ]; do
        case "$1" in
        --date)
            [ $# -ge 2 ] || usage
            date=(--date "$2")
            shift 2
            ;;
        *)
            out=$1
            shift
            ;;
        esac
    done
    mkdir -p "$out"
    chiso --db "$db" report --period "$period" --format docx \
        --out "$out/cong-van-$period.docx" --force "${date[@]}"
    chiso --db "$db" export --period "$period" --format xlsx --annexes \
        --out "$out/phu-luc-$period.xlsx" --force "${date[@]}"
    files=("$out/cong-van-$period.docx" "$out/phu-luc-$period.xlsx")
    ;;
esac

ensure_tools
for f in "${files[@]}"; do
    render "$f" "$out"
done
