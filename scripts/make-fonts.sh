#!/bin/sh
# Regenerates the bundled font subsets in fonts/ from the Debian packages
# fonts-noto-cjk (1:20220127+repack1-1) and fonts-lxgw-wenkai (1.250+repack-1),
# with fontTools' pyftsubset. Output is deterministic for the same inputs and
# fontTools version (the name table is kept, timestamps are not touched).
#
#   sudo apt-get install fonts-noto-cjk fonts-lxgw-wenkai && pip install fonttools
#   scripts/make-fonts.sh [OUTDIR]        (default: fonts/)
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
out="${1:-$here/fonts}"  # optional output folder (to verify a regeneration)
noto=/usr/share/fonts/opentype/noto
kai=/usr/share/fonts/truetype/lxgw-wenkai
mkdir -p "$out"

# Basic Latin + Latin-1, general punctuation (— “ ” …), letterlike and number
# forms (℃ № Ⅰ), arrows, enclosed alphanumerics (①), box drawing and geometric
# shapes (□ ○ √ for tick boxes), dingbats (✓), CJK symbols and punctuation,
# enclosed CJK (㈠), CJK compatibility (㎡), Extension A, the whole CJK Unified
# Ideographs block, compatibility ideographs and the full-width forms.
unicodes="U+0020-007E,U+00A0-00FF,U+2000-206F,U+20AC,U+2100-218F,U+2190-21FF,U+2200-22FF,U+2460-24FF,U+2500-25FF,U+2600-26FF,U+2700-27BF,U+3000-303F,U+3200-33FF,U+3400-4DBF,U+4E00-9FFF,U+F900-FAFF,U+FE30-FE4F,U+FF00-FFEF"

# Index of the face called "$2" inside the collection "$1".
face_index() {
    python3 - "$1" "$2" <<'PY'
import sys
from fontTools.ttLib import TTCollection
for i, f in enumerate(TTCollection(sys.argv[1]).fonts):
    if f["name"].getDebugName(1) == sys.argv[2]:
        print(i)
        break
else:
    sys.exit("face %s not found in %s" % (sys.argv[2], sys.argv[1]))
PY
}

# The OFL reserves the names "LXGW" and "霞鹜" for unmodified builds, so the WenKai subset
# gets its own family name (the licence requires this of modified versions).
rename_family() { # file family postscript-name
    python3 - "$1" "$2" "$3" <<'PY'
import sys
from fontTools.ttLib import TTFont
path, family, ps = sys.argv[1:4]
font = TTFont(path, recalcTimestamp=False)
name = font["name"]
name.names = [r for r in name.names if r.nameID not in (1, 3, 4, 6, 16, 17)]
for nid, value in ((1, family), (4, family), (3, ps + ";fangpin subset"), (6, ps)):
    name.setName(value, nid, 3, 1, 0x409)
    name.setName(value, nid, 1, 0, 0)
font.save(path, reorderTables=True)
PY
}

subset() { # source face-index output
    pyftsubset "$1" --font-number="$2" --unicodes="$unicodes" \
        --layout-features-='locl,vert,vrt2,vkna,vkrn,vpal,vhal,valt' --no-hinting \
        --name-IDs='*' --name-languages='*' --notdef-outline \
        --output-file="$out/$3"
    echo "$3: $(wc -c < "$out/$3") bytes"
}

subset "$noto/NotoSerifCJK-Regular.ttc" "$(face_index "$noto/NotoSerifCJK-Regular.ttc" "Noto Serif CJK SC")" NotoSerifCJKsc-Regular.otf
subset "$noto/NotoSerifCJK-Bold.ttc" "$(face_index "$noto/NotoSerifCJK-Bold.ttc" "Noto Serif CJK SC")" NotoSerifCJKsc-Bold.otf
subset "$noto/NotoSansCJK-Regular.ttc" "$(face_index "$noto/NotoSansCJK-Regular.ttc" "Noto Sans CJK SC")" NotoSansCJKsc-Regular.otf
subset "$kai/LXGWWenKai-Regular.ttf" 0 FangpinWenKai-Regular.ttf
rename_family "$out/FangpinWenKai-Regular.ttf" "Fangpin WenKai" FangpinWenKai-Regular
echo "FangpinWenKai-Regular.ttf (renamed): $(wc -c < "$out/FangpinWenKai-Regular.ttf") bytes"
