#!/bin/sh
# Contact sheet of a build, for reviewers: the first page of every PDF, and the printout of every
# XLSX (as LibreOffice prints it: the workbook's own print setup), as PNGs at 100 dpi, plus an
# index.html that shows them all on one page. Look at a whole build in a minute.
#
#   scripts/contact-sheet.sh OUTDIR [SHEETDIR]
#
# OUTDIR is a build's output folder (or any folder below it). SHEETDIR defaults to
# OUTDIR-contact-sheet, beside it (not inside: `fangpin verify` checks the output folder).
# Needs pdftoppm (poppler-utils) and, for the XLSX, libreoffice (libreoffice-calc).
# Environment: PAGES=N renders the first N pages of each file (default 1); DPI (default 100).
set -eu

if [ $# -lt 1 ] || [ ! -d "$1" ]; then
  echo "用法：scripts/contact-sheet.sh 输出文件夹 [样张文件夹]" >&2
  exit 2
fi
out=$(cd "$1" && pwd)
sheet="${2:-${out%/}-contact-sheet}"
pages="${PAGES:-1}"
dpi="${DPI:-100}"
command -v pdftoppm >/dev/null 2>&1 || { echo "缺少 pdftoppm：请安装 poppler-utils（apt-get install poppler-utils）" >&2; exit 1; }
lo=$(command -v libreoffice || command -v soffice || true)

mkdir -p "$sheet"
sheet=$(cd "$sheet" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# LibreOffice prints the workbooks with the machine's fonts; the bundled CJK faces are added for
# it alone (a private fontconfig file), so a machine without CJK fonts prints characters, not boxes.
here=$(cd "$(dirname "$0")/.." && pwd)
cat >"$work/fonts.conf" <<CONF
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>$here/fonts</dir>
  <cachedir>$work/fontcache</cachedir>
</fontconfig>
CONF

# One PNG per page: the file's path below OUTDIR with / turned into _, then -<page>.png.
render() { # pdf name
  pdftoppm -r "$dpi" -f 1 -l "$pages" -png "$1" "$sheet/$2"
}

index="$sheet/index.html"
{
  echo '<!doctype html><meta charset="utf-8"><title>样张</title>'
  echo '<style>body{font-family:sans-serif;background:#ddd}figure{display:inline-block;margin:6px;vertical-align:top;background:#fff;padding:4px}img{height:420px;border:1px solid #999}figcaption{font-size:12px;max-width:600px}</style>'
} >"$index"

n=0
find "$out" -type f \( -name '*.pdf' -o -name '*.xlsx' \) | LC_ALL=C sort >"$work/files"
while IFS= read -r f; do
  rel=${f#"$out"/}
  name=$(printf '%s' "$rel" | tr '/' '_')
  name=${name%.*}-$(printf '%s' "${f##*.}")
  case "$f" in
    *.pdf) render "$f" "$name" ;;
    *.xlsx)
      if [ -z "$lo" ]; then
        echo "跳过 $rel：未安装 libreoffice（apt-get install libreoffice-calc）" >&2
        continue
      fi
      # A private profile: a desktop LibreOffice that is open does not block the conversion.
      mkdir -p "$work/pdf"
      cp "$f" "$work/pdf/$name.xlsx"
      FONTCONFIG_FILE="$work/fonts.conf" "$lo" -env:UserInstallation=file://"$work/profile" --headless --convert-to pdf \
        --outdir "$work/pdf" "$work/pdf/$name.xlsx" >/dev/null 2>&1 || {
        echo "无法转换 $rel" >&2
        continue
      }
      render "$work/pdf/$name.pdf" "$name"
      ;;
  esac
  for png in "$sheet/$name"-*.png; do
    [ -e "$png" ] || continue
    printf '<figure><img src="%s"><figcaption>%s</figcaption></figure>\n' "$(basename "$png")" "$rel" >>"$index"
    n=$((n + 1))
  done
done <"$work/files"

echo "样张 $n 张：$sheet（总览：$index）"
