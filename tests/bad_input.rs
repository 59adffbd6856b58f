//! A catalogue of malformed inputs, each generated into its own temp workspace and fed to the real
//! binary (`fangpin check` and `fangpin build --out`). Every case must end calmly: the expected exit
//! code (2 for input errors, 0 for inputs accepted with a warning or silently normalised), a Chinese
//! message naming the file and, where it has one, the place (sheet › cell or line:column), no panic,
//! and nothing in the output folder except the documented `<名称>-数据问题清单.xlsx` that `build`
//! writes when the data has errors (no campaign folder, no staging leftovers).
//!
//! All people are synthetic; IDs carry valid GB 11643 check digits unless a case breaks one.

mod common;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use common::{Run, command, run_command};
use fangpin::ingest::id_check_digit;
use rust_xlsxwriter::{Format, Formula, Workbook, Worksheet};
use std::io::{Cursor, Read as _, Write as _};
use std::path::{Path, PathBuf};

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Generous for a debug build on two shared cores; a hang or runaway allocation trips it.
const TIMEOUT: Duration = Duration::from_secs(120);
const PROBLEM_LIST: &str = "加固测试排查-数据问题清单.xlsx";

const CAMPAIGN: &str = "名称: 加固测试排查
年度: 2024
地区: {省: 云南省, 县: 青溪县, 乡镇: 石桥镇}
监测范围: 7600
统计截止日: 2024-06-30
";

// ------------------------------------------------------------------ running the binary

/// Runs the binary with a timeout guard (the child is killed when it trips).
fn run(args: &[&std::ffi::OsStr]) -> Run {
    run_command(command(args, &[]), TIMEOUT)
}

// ------------------------------------------------------------------ the shared workspace layout

/// A temp workspace with the test campaign.yaml, plus an output folder beside it.
struct Ws {
    dir: tempfile::TempDir,
}

impl Ws {
    fn new() -> Ws {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("ws")).unwrap();
        let ws = Ws { dir };
        ws.write("campaign.yaml", CAMPAIGN.as_bytes());
        ws
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("ws")
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    fn write(&self, rel: &str, bytes: &[u8]) {
        let p = self.root().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }

    fn remove(&self, rel: &str) {
        std::fs::remove_file(self.root().join(rel)).unwrap();
    }

    fn yaml(&self, rel: &str, text: &str) {
        self.write(rel, text.as_bytes());
    }

    fn xlsx(&self, rel: &str, fill: impl FnOnce(&mut Workbook)) {
        self.write(rel, &xlsx_bytes(fill));
    }
}

fn xlsx_bytes(fill: impl FnOnce(&mut Workbook)) -> Vec<u8> {
    let mut wb = Workbook::new();
    fill(&mut wb);
    wb.save_to_buffer().unwrap()
}

/// Writes one row of strings (numbers when `#n` prefixed: `#n3` → 3).
fn row(s: &mut Worksheet, r: u32, values: &[&str]) {
    for (c, v) in values.iter().enumerate() {
        if v.is_empty() {
            continue;
        }
        match v.strip_prefix("#n") {
            Some(n) => s.write_number(r, c as u16, n.parse::<f64>().unwrap()).unwrap(),
            None => s.write_string(r, c as u16, *v).unwrap(),
        };
    }
}

/// A valid ID: region 530999, the birth date, a sequence number, and its check character.
fn id(birth: &str, seq: u32) -> String {
    let first17 = format!("530999{birth}{seq:03}");
    format!("{first17}{}", id_check_digit(&first17).unwrap())
}

/// A 17-digit prefix whose check character is X (for the lower-case x case).
fn id_ending_in_x() -> String {
    (0..1000)
        .map(|n| format!("53099919800101{n:03}"))
        .find(|p| id_check_digit(p) == Some('X'))
        .map(|p| format!("{p}X"))
        .unwrap()
}

const HH_HEADERS: &[&str] = &[
    "户编号",
    "行政村",
    "村民小组",
    "户主姓名",
    "户主证件号码",
    "户类型",
    "监测对象类型",
    "家庭人口数",
    "家庭人均纯收入",
];

/// One valid household row for `HH_HEADERS` (household H{n}, head born 1980).
fn hh_row(n: u32) -> Vec<String> {
    vec![
        format!("H{n:03}"),
        "甲村".into(),
        "1组".into(),
        format!("张{}", ["一", "二", "三", "四", "五"][n as usize % 5]),
        id("19800101", n),
        "监测户".into(),
        "边缘易致贫户".into(),
        "#n1".into(),
        "#n6000".into(),
    ]
}

fn hh_row_refs(r: &[String]) -> Vec<&str> {
    r.iter().map(String::as_str).collect()
}

/// A household workbook: sheet 户 with the headers and rows given.
fn household_book(headers: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    xlsx_bytes(|wb| {
        let s = wb.add_worksheet();
        s.set_name("户").unwrap();
        row(s, 0, headers);
        for (i, r) in rows.iter().enumerate() {
            row(s, i as u32 + 1, &hh_row_refs(r));
        }
    })
}

/// A valid one-household YAML file (head plus nested members given as YAML lines).
fn household_yaml(hid: &str, head_id: &str, extra: &str, members: &str) -> String {
    format!(
        "户:\n- 乡镇: 石桥镇\n  行政村: 甲村\n  村民小组: 1组\n  户编号: '{hid}'\n  户主姓名: 张三\n  户主证件号码: '{head_id}'\n  户类型: 监测户\n  监测对象类型: 边缘易致贫户\n  家庭人均纯收入: 6000\n{extra}  成员:\n{members}"
    )
}

fn member_yaml(name: &str, id: &str, relation: &str) -> String {
    format!("  - 姓名: {name}\n    证件号码: '{id}'\n    与户主关系: {relation}\n")
}

// ------------------------------------------------------------------ raw-byte fixtures

/// A minimal Compound File Binary (OLE2, version 3) holding the given streams — enough for
/// readers to see the directory: an encrypted OOXML package (EncryptionInfo + EncryptedPackage)
/// or an old Excel 97–2003 workbook (a `Workbook` stream). Streams are padded to 4096 bytes so
/// they live in regular sectors and no mini stream is needed.
fn cfb(streams: &[(&str, &[u8])]) -> Vec<u8> {
    const FREE: u32 = 0xFFFF_FFFF;
    const END: u32 = 0xFFFF_FFFE;
    const FATSECT: u32 = 0xFFFF_FFFD;
    assert!(streams.len() <= 3);
    let mut data: Vec<Vec<u8>> = streams
        .iter()
        .map(|(_, b)| {
            let mut v = b.to_vec();
            let len = v.len().max(4096).div_ceil(512) * 512;
            v.resize(len, 0);
            v
        })
        .collect();
    // FAT: sector 0 is the FAT itself, sector 1 the directory, then each stream's chain.
    let mut fat = vec![FATSECT, END];
    let mut starts = Vec::new();
    for d in &data {
        let n = d.len() / 512;
        let start = fat.len() as u32;
        starts.push(start);
        for i in 0..n as u32 {
            fat.push(if i + 1 == n as u32 { END } else { start + i + 1 });
        }
    }
    assert!(fat.len() <= 128);
    fat.resize(128, FREE);

    let mut out = Vec::new();
    out.extend_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    out.extend_from_slice(&[0; 16]);
    out.extend_from_slice(&0x003Eu16.to_le_bytes());
    out.extend_from_slice(&3u16.to_le_bytes());
    out.extend_from_slice(&0xFFFEu16.to_le_bytes());
    out.extend_from_slice(&9u16.to_le_bytes());
    out.extend_from_slice(&6u16.to_le_bytes());
    out.extend_from_slice(&[0; 6]);
    for v in [0u32, 1, 1, 0, 4096, END, 0, END, 0] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&0u32.to_le_bytes()); // DIFAT[0]: the FAT is sector 0
    for _ in 1..109 {
        out.extend_from_slice(&FREE.to_le_bytes());
    }
    assert_eq!(out.len(), 512);
    for v in &fat {
        out.extend_from_slice(&v.to_le_bytes());
    }
    let entry = |name: &str, kind: u8, right: u32, child: u32, start: u32, size: u32| {
        let mut e = vec![0u8; 128];
        let utf16: Vec<u8> = name.encode_utf16().chain([0]).flat_map(u16::to_le_bytes).collect();
        e[..utf16.len()].copy_from_slice(&utf16);
        e[64..66].copy_from_slice(&(utf16.len() as u16).to_le_bytes());
        e[66] = kind;
        e[67] = 1;
        e[68..72].copy_from_slice(&FREE.to_le_bytes());
        e[72..76].copy_from_slice(&right.to_le_bytes());
        e[76..80].copy_from_slice(&child.to_le_bytes());
        e[116..120].copy_from_slice(&start.to_le_bytes());
        e[120..124].copy_from_slice(&size.to_le_bytes());
        e
    };
    let mut dir = entry("Root Entry", 5, FREE, 1, END, 0);
    for (i, (name, bytes)) in streams.iter().enumerate() {
        let right = if i + 1 < streams.len() { i as u32 + 2 } else { FREE };
        dir.extend(entry(name, 2, right, FREE, starts[i], bytes.len().max(4096) as u32));
    }
    while dir.len() < 512 {
        let mut unused = vec![0u8; 128];
        unused[68..80].copy_from_slice(&[0xFF; 12]);
        dir.extend(unused);
    }
    out.extend(dir);
    for d in data.iter_mut() {
        out.append(d);
    }
    out
}

/// A minimal Excel 97–2003 (BIFF8) workbook stream: one sheet of LABEL (text) and NUMBER cells
/// (`#n` prefix as in [`row`]).
fn biff8(sheet: &str, rows: &[Vec<String>]) -> Vec<u8> {
    fn rec(typ: u16, body: &[u8]) -> Vec<u8> {
        let mut v = typ.to_le_bytes().to_vec();
        v.extend((body.len() as u16).to_le_bytes());
        v.extend_from_slice(body);
        v
    }
    let bof = |kind: u16| {
        let mut b = Vec::new();
        for x in [0x0600u16, kind, 0x0DBB, 0x07CC] {
            b.extend(x.to_le_bytes());
        }
        b.extend(0u32.to_le_bytes());
        b.extend(6u32.to_le_bytes());
        rec(0x0809, &b)
    };
    let mut cells = Vec::new();
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let mut b = Vec::new();
            b.extend((r as u16).to_le_bytes());
            b.extend((c as u16).to_le_bytes());
            b.extend(15u16.to_le_bytes());
            match v.strip_prefix("#n") {
                Some(n) => {
                    b.extend(n.parse::<f64>().unwrap().to_le_bytes());
                    cells.extend(rec(0x0203, &b));
                }
                None => {
                    b.extend((v.encode_utf16().count() as u16).to_le_bytes());
                    b.push(1);
                    b.extend(v.encode_utf16().flat_map(u16::to_le_bytes));
                    cells.extend(rec(0x0204, &b));
                }
            }
        }
    }
    let mut dims = Vec::new();
    dims.extend(0u32.to_le_bytes());
    dims.extend((rows.len() as u32).to_le_bytes());
    dims.extend(0u16.to_le_bytes());
    dims.extend((width as u16).to_le_bytes());
    dims.extend(0u16.to_le_bytes());
    let mut sheet_stream = bof(0x10);
    sheet_stream.extend(rec(0x0200, &dims));
    sheet_stream.extend(cells);
    sheet_stream.extend(rec(0x000A, &[]));
    let boundsheet = |offset: u32| {
        let mut b = offset.to_le_bytes().to_vec();
        b.extend([0, 0, sheet.encode_utf16().count() as u8, 1]);
        b.extend(sheet.encode_utf16().flat_map(u16::to_le_bytes));
        rec(0x0085, &b)
    };
    let mut globals = bof(0x05);
    globals.extend(rec(0x0042, &1200u16.to_le_bytes()));
    let offset = (globals.len() + boundsheet(0).len() + 4) as u32;
    globals.extend(boundsheet(offset));
    globals.extend(rec(0x000A, &[]));
    globals.extend(sheet_stream);
    globals
}

/// A zip archive with the given (name, content) entries.
fn zip_bytes(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, content) in entries {
        w.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        w.write_all(content).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// Rewrites one part of an xlsx (zip) package with `edit` (used where rust_xlsxwriter refuses to
/// write what Excel files in the wild contain).
fn patch_xlsx(bytes: &[u8], part: &str, edit: impl Fn(String) -> String) -> Vec<u8> {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut entries = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let mut content = Vec::new();
        f.read_to_end(&mut content).unwrap();
        let name = f.name().unwrap().to_string();
        if name == part {
            content = edit(String::from_utf8(content).unwrap()).into_bytes();
        }
        entries.push((name, content));
    }
    let refs: Vec<(&str, &[u8])> = entries.iter().map(|(n, c)| (n.as_str(), c.as_slice())).collect();
    zip_bytes(&refs)
}

/// Deterministic pseudo-random bytes.
fn noise(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// `text` as UTF-16 little-endian with a byte-order mark (Windows Notepad's "Unicode").
fn utf16le(text: &str) -> Vec<u8> {
    let mut v = vec![0xFF, 0xFE];
    v.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    v
}

/// `text` in GBK for the characters used here (a tiny table; enough for a non-UTF-8 file).
fn gbk(text: &str) -> Vec<u8> {
    let table: &[(char, [u8; 2])] = &[
        ('户', [0xBB, 0xA7]),
        ('编', [0xB1, 0xE0]),
        ('号', [0xBA, 0xC5]),
        ('名', [0xC3, 0xFB]),
        ('称', [0xB3, 0xC6]),
        ('张', [0xD5, 0xC5]),
        ('三', [0xC8, 0xFD]),
    ];
    let mut v = Vec::new();
    for c in text.chars() {
        match table.iter().find(|(k, _)| *k == c) {
            Some((_, b)) => v.extend_from_slice(b),
            None => {
                let mut buf = [0; 4];
                v.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    v
}

// ------------------------------------------------------------------ the catalogue

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Outcome {
    /// Exit 2; an [错误] (or fatal 错误) line names the file.
    Error,
    /// Exit 0; a [警告] line names the file.
    Warning,
    /// Exit 0; accepted as is (normalised), no diagnostic about it.
    Clean,
}

/// An extra assertion run after the binary.
type AfterCheck = Box<dyn Fn(&Ws, &Run) -> Result<(), String> + Send + Sync>;

struct Case {
    name: &'static str,
    setup: Box<dyn Fn(&Ws) + Send + Sync>,
    outcome: Outcome,
    /// The file the message must name.
    file: &'static str,
    /// The place inside it (`户 › E2`, `:3:5`), when the input has one.
    place: Option<String>,
    /// Words the message must contain.
    words: Vec<&'static str>,
    /// Extra check on the workspace after the runs.
    after: Option<AfterCheck>,
}

fn case(
    name: &'static str,
    outcome: Outcome,
    file: &'static str,
    place: Option<&str>,
    words: &[&'static str],
    setup: impl Fn(&Ws) + Send + Sync + 'static,
) -> Case {
    Case {
        name,
        setup: Box::new(setup),
        outcome,
        file,
        place: place.map(str::to_string),
        words: words.to_vec(),
        after: None,
    }
}

use Outcome::{Clean, Error, Warning};

fn catalogue() -> Vec<Case> {
    let mut c = Vec::new();
    let good = || household_book(HH_HEADERS, &[hh_row(1)]);

    // ---- workbooks that cannot be opened
    c.push(case(
        "truncated xlsx",
        Error,
        "a.xlsx",
        None,
        &["无法打开"],
        move |ws| {
            let b = good();
            ws.write("a.xlsx", &b[..b.len() / 2]);
        },
    ));
    c.push(case(
        "corrupt zip (damaged sheet data)",
        Error,
        "a.xlsx",
        None,
        &["无法"],
        move |ws| {
            let mut b = good();
            // Overwrite the compressed XML of the sheet, keeping the zip directory intact.
            let name = b"xl/worksheets/sheet1.xml";
            let at = b.windows(name.len()).position(|w| w == name).unwrap() + name.len();
            for (i, x) in b[at + 4..at + 200].iter_mut().enumerate() {
                *x = (i * 37) as u8;
            }
            ws.write("a.xlsx", &b);
        },
    ));
    c.push(case(
        "random bytes named .xlsx",
        Error,
        "随机.xlsx",
        None,
        &["无法打开"],
        |ws| {
            ws.write("随机.xlsx", &noise(5000, 7));
        },
    ));
    c.push(case(
        "empty file named .xlsx",
        Error,
        "空.xlsx",
        None,
        &["无法打开"],
        |ws| {
            ws.write("空.xlsx", b"");
        },
    ));
    c.push(case(
        "upper-case .XLSX of random bytes",
        Error,
        "B.XLSX",
        None,
        &["无法打开"],
        |ws| {
            ws.write("B.XLSX", &noise(300, 3));
        },
    ));
    c.push(case(
        "a zip that is not a workbook",
        Error,
        "a.xlsx",
        None,
        &["无法打开"],
        |ws| {
            ws.write("a.xlsx", &zip_bytes(&[("readme.txt", b"hello")]));
        },
    ));
    c.push(case(
        "password-protected (encrypted) xlsx",
        Error,
        "加密.xlsx",
        None,
        &["密码"],
        |ws| {
            let info = [4u8, 0, 4, 0, 0x40, 0, 0, 0];
            ws.write(
                "加密.xlsx",
                &cfb(&[("EncryptionInfo", &info), ("EncryptedPackage", &[0u8; 64])]),
            );
        },
    ));
    c.push(case(
        "old .xls bytes named .xlsx",
        Error,
        "旧版.xlsx",
        None,
        &["xls"],
        |ws| {
            // BIFF8 BOF record followed by junk.
            let bof = [
                0x09u8, 0x08, 0x10, 0, 0, 6, 5, 0, 0xBB, 0x0D, 0xCC, 0x07, 0, 0, 0, 0, 6, 0, 0, 0,
            ];
            ws.write("旧版.xlsx", &cfb(&[("Workbook", &bof)]));
        },
    ));
    c.push(case(
        "a genuine old .xls (Excel 97-2003) is read",
        Warning,
        "旧版真表.xls",
        Some("旧版真表.xls › 户 › H2"),
        &["家庭人口数"],
        |ws| {
            let mut rows = vec![HH_HEADERS.iter().map(|h| h.to_string()).collect::<Vec<_>>()];
            rows.push(hh_row(1));
            ws.write("旧版真表.xls", &cfb(&[("Workbook", &biff8("户", &rows))]));
        },
    ));
    // Found by fuzzing (fuzz/artifacts/excel_ingest/crash-94e286ee…): an OLE file whose last
    // sector is cut short (a truncated download) made calamine panic, as .xlsx and as .xls.
    c.push(case(
        "truncated encrypted xlsx (last OLE sector cut short)",
        Error,
        "截断加密.xlsx",
        None,
        &["无法打开"],
        |ws| {
            let b = cfb(&[("EncryptionInfo", &[4u8, 0, 4, 0]), ("EncryptedPackage", &[0u8; 64])]);
            ws.write("截断加密.xlsx", &b[..512 + 177]);
        },
    ));
    c.push(case(
        "truncated .xls (last OLE sector cut short)",
        Error,
        "截断.xls",
        None,
        &["无法打开"],
        |ws| {
            let b = cfb(&[("Workbook", &[0u8; 16])]);
            ws.write("截断.xls", &b[..512 + 177]);
        },
    ));
    // Found by fuzzing: calamine follows the OLE container blindly. A DIMENSIONS record claiming
    // four billion rows made it reserve 43 TB and abort; a directory chain past the end of the
    // file panicked; a chain that loops grew memory without end.
    c.push(case(
        ".xls whose DIMENSIONS record claims 4 billion rows",
        Error,
        "巨表.xls",
        None,
        &["范围过大"],
        |ws| {
            let rows = vec![HH_HEADERS.iter().map(|h| h.to_string()).collect::<Vec<_>>()];
            let mut book = biff8("户", &rows);
            let at = book.windows(4).position(|w| w == [0x00, 0x02, 14, 0]).unwrap() + 4;
            book[at + 4..at + 8].copy_from_slice(&u32::MAX.to_le_bytes());
            ws.write("巨表.xls", &cfb(&[("Workbook", &book)]));
        },
    ));
    c.push(case(
        ".xls whose directory chain points past the end of the file",
        Error,
        "断链.xls",
        None,
        &["结构已损坏"],
        |ws| {
            let mut b = cfb(&[("Workbook", &biff8("户", &[]))]);
            // FAT entry of the directory sector (sector 1) → sector 4000.
            b[512 + 4..512 + 8].copy_from_slice(&4000u32.to_le_bytes());
            ws.write("断链.xls", &b);
        },
    ));
    c.push(case(
        "encrypted .xlsx whose directory chain loops",
        Error,
        "成环.xlsx",
        None,
        &["成环"],
        |ws| {
            let mut b = cfb(&[("EncryptionInfo", &[4u8, 0, 4, 0]), ("EncryptedPackage", &[0u8; 64])]);
            b[512 + 4..512 + 8].copy_from_slice(&1u32.to_le_bytes());
            ws.write("成环.xlsx", &b);
        },
    ));
    c.push(case(
        "corrupt .xls (OLE header only)",
        Error,
        "旧.xls",
        None,
        &["无法打开"],
        |ws| {
            let b = cfb(&[("Workbook", &[0u8; 16])]);
            ws.write("旧.xls", &b[..700]);
        },
    ));
    c.push(case(
        ".xls with a junk Workbook stream",
        Error,
        "旧2.xls",
        None,
        &["无法"],
        |ws| {
            ws.write("旧2.xls", &cfb(&[("Workbook", &noise(600, 11))]));
        },
    ));
    c.push(case(
        "random bytes named .ods",
        Error,
        "c.ods",
        None,
        &["无法打开"],
        |ws| {
            ws.write("c.ods", &noise(2000, 5));
        },
    ));

    // ---- workbooks that open but hold nothing usable
    c.push(case("empty workbook", Warning, "空白.xlsx", None, &["没有"], |ws| {
        ws.xlsx("空白.xlsx", |wb| {
            wb.add_worksheet();
        });
    }));
    c.push(case(
        "header-only sheet",
        Warning,
        "表头.xlsx",
        Some("表头.xlsx › 户"),
        &["没有数据行"],
        |ws| {
            ws.write("表头.xlsx", &household_book(HH_HEADERS, &[]));
        },
    ));
    c.push(case(
        "unrecognised sheet",
        Warning,
        "杂表.xlsx",
        Some("杂表.xlsx › Sheet1"),
        &["未能识别"],
        |ws| {
            ws.xlsx("杂表.xlsx", |wb| {
                let s = wb.add_worksheet();
                row(s, 0, &["甲", "乙", "丙"]);
                row(s, 1, &["1", "2", "3"]);
            });
        },
    ));
    c.push(case(
        "duplicate headers",
        Warning,
        "重复.xlsx",
        Some("重复.xlsx › 户 › J1"),
        &["重复"],
        |ws| {
            let mut h = HH_HEADERS.to_vec();
            h.push("户主姓名");
            let mut r = hh_row(1);
            r.push("李四".into());
            ws.write("重复.xlsx", &household_book(&h, &[r]));
        },
    ));
    c.push(case(
        "missing required column",
        Error,
        "缺列.xlsx",
        Some("缺列.xlsx › 户"),
        &["缺少必填列", "户类型"],
        |ws| {
            let h: Vec<&str> = HH_HEADERS.iter().copied().filter(|h| *h != "户类型").collect();
            let mut r = hh_row(1);
            r.remove(5);
            ws.write("缺列.xlsx", &household_book(&h, &[r]));
        },
    ));
    c.push(case(
        "10,000 columns",
        Warning,
        "宽表.xlsx",
        Some("宽表.xlsx › 户 › NTP1"),
        &["无法识别的表头"],
        |ws| {
            ws.xlsx("宽表.xlsx", |wb| {
                let s = wb.add_worksheet();
                s.set_name("户").unwrap();
                row(s, 0, HH_HEADERS);
                row(s, 1, &hh_row_refs(&hh_row(1)));
                for col in HH_HEADERS.len() as u16..10_000 {
                    s.write_string(0, col, format!("备用{col}")).unwrap();
                    s.write_number(1, col, f64::from(col)).unwrap();
                }
            });
        },
    ));
    c.push(case(
        "a cell far away (XFD1048576) makes the sheet's range enormous",
        Error,
        "远处.xlsx",
        Some("远处.xlsx › 户"),
        &["范围"],
        |ws| {
            ws.xlsx("远处.xlsx", |wb| {
                let s = wb.add_worksheet();
                s.set_name("户").unwrap();
                row(s, 0, HH_HEADERS);
                row(s, 1, &hh_row_refs(&hh_row(1)));
                s.write_string(1_048_575, 16_383, "x").unwrap();
            });
        },
    ));
    c.push(case(
        "a 1 MB cell",
        Error,
        "大单元格.xlsx",
        Some("大单元格.xlsx › 户 › D2"),
        &["过长"],
        |ws| {
            // Excel caps a cell at 32,767 characters and rust_xlsxwriter enforces it; files from other
            // tools do not, so patch the shared string in afterwards.
            let b = household_book(HH_HEADERS, &[hh_row(1)]);
            let big = "长".repeat(350_000);
            ws.write(
                "大单元格.xlsx",
                &patch_xlsx(&b, "xl/sharedStrings.xml", |x| x.replacen("张二", &big, 1)),
            );
        },
    ));
    c.push(case(
        "formula error #REF! in 家庭人口数",
        Error,
        "公式.xlsx",
        Some("公式.xlsx › 户 › H2"),
        &["#REF!"],
        |ws| {
            ws.xlsx("公式.xlsx", |wb| {
                let s = wb.add_worksheet();
                s.set_name("户").unwrap();
                row(s, 0, HH_HEADERS);
                let r = hh_row(1);
                row(s, 1, &hh_row_refs(&r[..7]));
                s.write_formula(1, 7, Formula::new("=#REF!+1").set_result("#REF!"))
                    .unwrap();
                s.write_number(1, 8, 6000.0).unwrap();
            });
        },
    ));
    c.push(case(
        "formula error #VALUE! in 家庭人均纯收入",
        Error,
        "公式2.xlsx",
        Some("公式2.xlsx › 户 › I2"),
        &["#VALUE!"],
        |ws| {
            ws.xlsx("公式2.xlsx", |wb| {
                let s = wb.add_worksheet();
                s.set_name("户").unwrap();
                row(s, 0, HH_HEADERS);
                let r = hh_row(1);
                row(s, 1, &hh_row_refs(&r[..8]));
                s.write_formula(1, 8, Formula::new("=\"a\"+1").set_result("#VALUE!"))
                    .unwrap();
            });
        },
    ));
    c.push(case(
        "ID stored as a number (5.30999E+17)",
        Error,
        "数字身份证.xlsx",
        Some("数字身份证.xlsx › 户 › E2"),
        &["文本"],
        |ws| {
            let mut r = hh_row(1);
            r[4] = format!("#n{}", &r[4][..17]);
            ws.write("数字身份证.xlsx", &household_book(HH_HEADERS, &[r]));
        },
    ));
    c.push(case(
        "ID with a wrong check digit",
        Error,
        "校验.xlsx",
        Some("校验.xlsx › 户 › E2"),
        &["校验位"],
        |ws| {
            let mut r = hh_row(1);
            let last = r[4].pop().unwrap();
            r[4].push(if last == '0' { '1' } else { '0' });
            ws.write("校验.xlsx", &household_book(HH_HEADERS, &[r]));
        },
    ));
    c.push(case(
        "15-digit old ID",
        Error,
        "旧号.xlsx",
        Some("旧号.xlsx › 户 › E2"),
        &["15位"],
        |ws| {
            let mut r = hh_row(1);
            r[4] = "530999800101001".into();
            ws.write("旧号.xlsx", &household_book(HH_HEADERS, &[r]));
        },
    ));
    c.push(case(
        "huge number (1e300) as income",
        Error,
        "大数.xlsx",
        Some("大数.xlsx › 户 › I2"),
        &["过大"],
        |ws| {
            let mut r = hh_row(1);
            r[8] = "#n1e300".into();
            ws.write("大数.xlsx", &household_book(HH_HEADERS, &[r]));
        },
    ));
    c.push(case(
        "negative income",
        Error,
        "负数.xlsx",
        Some("负数.xlsx › 户 › I2"),
        &["负数"],
        |ws| {
            let mut r = hh_row(1);
            r[8] = "#n-500".into();
            ws.write("负数.xlsx", &household_book(HH_HEADERS, &[r]));
        },
    ));
    c.push(case(
        "negative household size",
        Error,
        "负人口.xlsx",
        Some("负人口.xlsx › 户 › H2"),
        &["家庭人口数"],
        |ws| {
            let mut r = hh_row(1);
            r[7] = "#n-3".into();
            ws.write("负人口.xlsx", &household_book(HH_HEADERS, &[r]));
        },
    ));
    c.push(case(
        "huge household size",
        Error,
        "巨人口.xlsx",
        Some("巨人口.xlsx › 户 › H2"),
        &["家庭人口数"],
        |ws| {
            let mut r = hh_row(1);
            r[7] = "#n1e15".into();
            ws.write("巨人口.xlsx", &household_book(HH_HEADERS, &[r]));
        },
    ));
    c.push(case(
        "date before 1900 (text)",
        Error,
        "程序.xlsx",
        Some("程序.xlsx › 程序 › C2"),
        &["1899"],
        |ws| {
            ws.xlsx("程序.xlsx", |wb| {
                let s = wb.add_worksheet();
                s.set_name("程序").unwrap();
                row(s, 0, &["户编号", "程序类型", "发现线索"]);
                row(s, 1, &["H001", "识别纳入", "1899-12-31"]);
            });
            ws.write("户.xlsx", &household_book(HH_HEADERS, &[hh_row(1)]));
        },
    ));
    c.push(case(
        "date in 9999 (text)",
        Error,
        "程序.xlsx",
        Some("程序.xlsx › 程序 › C2"),
        &["9999"],
        |ws| {
            ws.xlsx("程序.xlsx", |wb| {
                let s = wb.add_worksheet();
                s.set_name("程序").unwrap();
                row(s, 0, &["户编号", "程序类型", "发现线索"]);
                row(s, 1, &["H001", "识别纳入", "9999年12月31日"]);
            });
            ws.write("户.xlsx", &household_book(HH_HEADERS, &[hh_row(1)]));
        },
    ));
    c.push(case(
        "date cell in 9999",
        Error,
        "程序.xlsx",
        Some("程序.xlsx › 程序 › C2"),
        &["9999"],
        |ws| {
            ws.xlsx("程序.xlsx", |wb| {
                let s = wb.add_worksheet();
                s.set_name("程序").unwrap();
                row(s, 0, &["户编号", "程序类型", "发现线索"]);
                row(s, 1, &["H001", "识别纳入"]);
                let fmt = Format::new().set_num_format("yyyy-mm-dd");
                s.write_number_with_format(1, 2, 2_958_465.0, &fmt).unwrap();
            });
            ws.write("户.xlsx", &household_book(HH_HEADERS, &[hh_row(1)]));
        },
    ));
    c.push(case(
        "impossible date 2024-02-30",
        Error,
        "程序.xlsx",
        Some("程序.xlsx › 程序 › C2"),
        &["日期不存在"],
        |ws| {
            ws.xlsx("程序.xlsx", |wb| {
                let s = wb.add_worksheet();
                s.set_name("程序").unwrap();
                row(s, 0, &["户编号", "程序类型", "发现线索"]);
                row(s, 1, &["H001", "识别纳入", "2024-02-30"]);
            });
            ws.write("户.xlsx", &household_book(HH_HEADERS, &[hh_row(1)]));
        },
    ));
    c.push(case(
        "unknown procedure type",
        Error,
        "程序.xlsx",
        Some("程序.xlsx › 程序 › B2"),
        &["程序类型"],
        |ws| {
            ws.xlsx("程序.xlsx", |wb| {
                let s = wb.add_worksheet();
                s.set_name("程序").unwrap();
                row(s, 0, &["户编号", "程序类型", "发现线索"]);
                row(s, 1, &["H001", "识别开除", "2024-05-01"]);
            });
            ws.write("户.xlsx", &household_book(HH_HEADERS, &[hh_row(1)]));
        },
    ));
    c.push(case(
        "procedure for an unknown household",
        Error,
        "程序.xlsx",
        Some("程序.xlsx › 程序 › A2"),
        &["H999"],
        |ws| {
            ws.xlsx("程序.xlsx", |wb| {
                let s = wb.add_worksheet();
                s.set_name("程序").unwrap();
                row(s, 0, &["户编号", "程序类型", "发现线索"]);
                row(s, 1, &["H999", "识别纳入", "2024-05-01"]);
            });
            ws.write("户.xlsx", &household_book(HH_HEADERS, &[hh_row(1)]));
        },
    ));
    c.push(case(
        "duplicate 户编号 across files",
        Error,
        "户2.xlsx",
        Some("户2.xlsx › 户 › A2"),
        &["H001"],
        |ws| {
            ws.write("户1.xlsx", &household_book(HH_HEADERS, &[hh_row(1)]));
            let mut r = hh_row(2);
            r[0] = "H001".into();
            ws.write("户2.xlsx", &household_book(HH_HEADERS, &[r]));
        },
    ));
    c.push(case(
        "a village name that cannot be a folder",
        Error,
        "村名.xlsx",
        Some("村名.xlsx › 户 › B2"),
        &["行政村"],
        |ws| {
            let mut r = hh_row(1);
            r[1] = "甲/村".into();
            ws.write("村名.xlsx", &household_book(HH_HEADERS, &[r]));
        },
    ));

    // ---- IDs and households
    c.push({
        let mut k = case(
            "ID with a lower-case x (accepted, normalised to X)",
            Clean,
            "小写x.yaml",
            None,
            &[],
            |ws| {
                let x = id_ending_in_x().to_lowercase();
                ws.yaml(
                    "小写x.yaml",
                    &household_yaml("H001", &x, "", &member_yaml("张三", &x, "户主")),
                );
            },
        );
        k.after = Some(Box::new(|ws, _| {
            let upper = id_ending_in_x();
            let ws = fangpin::ingest::load_workspace(&ws.root()).map_err(|e| e.to_string())?;
            let h = ws.data.households.first().ok_or("no household")?;
            if h.head_id != upper || h.members.first().map(|m| m.id.as_str()) != Some(upper.as_str()) {
                return Err(format!(
                    "ID not normalised: {} / {:?}",
                    h.head_id,
                    h.members.first().map(|m| &m.id)
                ));
            }
            Ok(())
        }));
        k
    });
    c.push(case(
        "a household whose members all fail",
        Error,
        "全错.yaml",
        Some("全错.yaml:"),
        &["证件号码"],
        |ws| {
            let head = id("19800101", 1);
            let members = format!(
                "{}{}",
                member_yaml("张三", "530999198001010019", "户主"),
                member_yaml("李四", "12345", "配偶")
            );
            ws.yaml("全错.yaml", &household_yaml("H001", &head, "", &members));
        },
    ));
    c.push(case(
        "no member is the head (unknown relation)",
        Warning,
        "关系.yaml",
        Some("关系.yaml:"),
        &["与户主关系", "户主"],
        |ws| {
            let head = id("19800101", 1);
            let members = member_yaml("张三", &head, "外星人");
            ws.yaml("关系.yaml", &household_yaml("H001", &head, "", &members));
        },
    ));
    c.push(case(
        "1 MB value in YAML",
        Error,
        "大值.yaml",
        Some("大值.yaml:"),
        &["过长"],
        |ws| {
            let head = id("19800101", 1);
            let big = "长".repeat(350_000);
            let members = member_yaml(&big, &head, "户主");
            ws.yaml("大值.yaml", &household_yaml("H001", &head, "", &members));
        },
    ));
    c.push(case(
        "date before 1900 in YAML",
        Error,
        "旧日期.yaml",
        Some("旧日期.yaml:"),
        &["1899"],
        |ws| {
            let head = id("19800101", 1);
            let yaml = format!(
                "{}程序:\n- 户编号: 'H001'\n  程序类型: 识别纳入\n  发现线索: 1899-12-31\n",
                household_yaml("H001", &head, "", &member_yaml("张三", &head, "户主"))
            );
            ws.yaml("旧日期.yaml", &yaml);
        },
    ));
    c.push(case(
        "huge number in YAML",
        Error,
        "大数.yaml",
        Some("大数.yaml:"),
        &["过大"],
        |ws| {
            let head = id("19800101", 1);
            let yaml = household_yaml(
                "H001",
                &head,
                "  工资性收入: 1.0e+300\n",
                &member_yaml("张三", &head, "户主"),
            );
            ws.yaml("大数.yaml", &yaml);
        },
    ));
    c.push(case(
        "integer beyond i64 in YAML",
        Error,
        "超大.yaml",
        Some("超大.yaml:"),
        &["家庭人口数"],
        |ws| {
            let head = id("19800101", 1);
            let yaml = household_yaml(
                "H001",
                &head,
                "  家庭人口数: 99999999999999999999\n",
                &member_yaml("张三", &head, "户主"),
            );
            ws.yaml("超大.yaml", &yaml);
        },
    ));

    // ---- YAML that cannot be read
    c.push(case(
        "non-UTF-8 (GBK) YAML",
        Error,
        "gbk.yaml",
        None,
        &["UTF-8"],
        |ws| {
            ws.write("gbk.yaml", &gbk("户:\n- 户编号: 1\n  户主姓名: 张三\n"));
        },
    ));
    c.push(case("UTF-16 YAML", Error, "utf16.yaml", None, &["UTF-16"], |ws| {
        ws.write("utf16.yaml", &utf16le("户:\n- 户编号: 1\n"));
    }));
    c.push(case(
        "YAML alias bomb (billion laughs)",
        Error,
        "炸弹.yaml",
        None,
        &["别名"],
        |ws| {
            let mut y =
                String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
            for (prev, cur) in ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
                .windows(2)
                .map(|w| (w[0], w[1]))
            {
                y.push_str(&format!(
                    "{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
                ));
            }
            ws.yaml("炸弹.yaml", &y);
        },
    ));
    c.push(case(
        "deeply nested YAML",
        Error,
        "嵌套.yaml",
        None,
        &["嵌套"],
        |ws| {
            let depth = 100_000;
            ws.yaml(
                "嵌套.yaml",
                &format!("户: {}{}\n", "[".repeat(depth), "]".repeat(depth)),
            );
        },
    ));
    c.push(case(
        "YAML syntax error (bad indentation)",
        Error,
        "缩进.yaml",
        Some("缩进.yaml:3:"),
        &["YAML 格式错误"],
        |ws| {
            ws.yaml("缩进.yaml", "户:\n  - 户编号: 1\n   户主姓名: 张三\n");
        },
    ));
    c.push(case(
        "YAML with a tab indent",
        Error,
        "制表符.yaml",
        Some("制表符.yaml:"),
        &["YAML"],
        |ws| {
            ws.yaml("制表符.yaml", "户:\n\t- 户编号: 1\n");
        },
    ));
    c.push(case(
        "YAML top level is a scalar",
        Error,
        "标量.yaml",
        Some("标量.yaml:1:1"),
        &["顶层"],
        |ws| {
            ws.yaml("标量.yaml", "只是一句话\n");
        },
    ));
    c.push(case(
        "YAML unknown top-level key",
        Error,
        "未知.yaml",
        Some("未知.yaml:1:1"),
        &["未知的顶层键"],
        |ws| {
            ws.yaml("未知.yaml", "户口:\n- 户编号: 1\n");
        },
    ));
    c.push(case(
        "YAML list item not a mapping",
        Error,
        "非映射.yaml",
        Some("非映射.yaml:2:"),
        &["记录"],
        |ws| {
            ws.yaml("非映射.yaml", "户:\n- 张三\n");
        },
    ));
    c.push(case(
        "YAML duplicate keys",
        Error,
        "重复键.yaml",
        Some("重复键.yaml:"),
        &["YAML"],
        |ws| {
            ws.yaml("重复键.yaml", "户:\n- 户编号: 1\n  户编号: 2\n");
        },
    ));
    c.push(case("empty YAML file", Warning, "空.yaml", None, &["空"], |ws| {
        ws.yaml("空.yaml", "");
    }));
    c.push(case("YAML of NUL bytes", Error, "零.yaml", None, &["YAML"], |ws| {
        ws.write("零.yaml", &[0u8; 64]);
    }));

    // ---- campaign.yaml and rules.yaml (fatal: nothing read, nothing written)
    c.push(case(
        "campaign.yaml missing",
        Error,
        "campaign.yaml",
        None,
        &["没有"],
        |ws| {
            ws.remove("campaign.yaml");
        },
    ));
    c.push(case(
        "campaign.yaml empty",
        Error,
        "campaign.yaml",
        None,
        &["映射"],
        |ws| {
            ws.yaml("campaign.yaml", "");
        },
    ));
    c.push(case(
        "campaign.yaml missing required keys",
        Error,
        "campaign.yaml",
        None,
        &["缺少必填项", "监测范围"],
        |ws| {
            ws.yaml(
                "campaign.yaml",
                "名称: 加固测试排查\n年度: 2024\n地区: {省: 云南省, 县: 青溪县, 乡镇: 石桥镇}\n",
            );
        },
    ));
    c.push(case(
        "campaign.yaml with an unknown key",
        Error,
        "campaign.yaml",
        Some("campaign.yaml:6:1"),
        &["未知的键", "负责人"],
        |ws| {
            ws.yaml("campaign.yaml", &format!("{CAMPAIGN}负责人: 王五\n"));
        },
    ));
    c.push(case(
        "campaign.yaml in GBK",
        Error,
        "campaign.yaml",
        None,
        &["UTF-8"],
        |ws| {
            ws.write("campaign.yaml", &gbk("名称: 张三\n"));
        },
    ));
    c.push(case(
        "campaign.yaml in UTF-16",
        Error,
        "campaign.yaml",
        None,
        &["UTF-16"],
        |ws| {
            ws.write("campaign.yaml", &utf16le(CAMPAIGN));
        },
    ));
    c.push(case(
        "campaign.yaml is a list",
        Error,
        "campaign.yaml",
        None,
        &["映射"],
        |ws| {
            ws.yaml("campaign.yaml", "- 名称\n- 年度\n");
        },
    ));
    c.push(case(
        "campaign.yaml negative 监测范围",
        Error,
        "campaign.yaml",
        Some("campaign.yaml:4:"),
        &["监测范围"],
        |ws| {
            ws.yaml("campaign.yaml", &CAMPAIGN.replace("监测范围: 7600", "监测范围: -7600"));
        },
    ));
    c.push(case(
        "campaign.yaml 统计截止日 in 9999",
        Error,
        "campaign.yaml",
        Some("campaign.yaml:5:"),
        &["9999"],
        |ws| {
            ws.yaml("campaign.yaml", &CAMPAIGN.replace("2024-06-30", "9999-12-31"));
        },
    ));
    c.push(case(
        "campaign.yaml 年度 absurd",
        Error,
        "campaign.yaml",
        Some("campaign.yaml:2:"),
        &["年度"],
        |ws| {
            ws.yaml(
                "campaign.yaml",
                &CAMPAIGN.replace("年度: 2024", "年度: 99999999999999999999999"),
            );
        },
    ));
    c.push(case(
        "campaign.yaml alias bomb",
        Error,
        "campaign.yaml",
        None,
        &["别名"],
        |ws| {
            let mut y =
                String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
            for (prev, cur) in ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
                .windows(2)
                .map(|w| (w[0], w[1]))
            {
                y.push_str(&format!(
                    "{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
                ));
            }
            ws.yaml("campaign.yaml", &format!("{CAMPAIGN}{y}"));
        },
    ));
    c.push(case(
        "rules.yaml syntax error",
        Error,
        "rules.yaml",
        Some("rules.yaml:2:"),
        &["格式"],
        |ws| {
            ws.yaml("rules.yaml", "时限规则:\n  - [unclosed\n");
        },
    ));
    c.push(case(
        "rules.yaml unknown key",
        Error,
        "rules.yaml",
        Some("rules.yaml:1:1"),
        &["格式"],
        |ws| {
            ws.yaml("rules.yaml", "期限: 3\n");
        },
    ));
    c.push(case(
        "rules.yaml deeply nested",
        Error,
        "rules.yaml",
        Some("rules.yaml:1:"),
        &["嵌套"],
        |ws| {
            ws.yaml(
                "rules.yaml",
                &format!("时限规则: {}{}\n", "[".repeat(50_000), "]".repeat(50_000)),
            );
        },
    ));
    c.push(case(
        "campaign.yaml deeply nested",
        Error,
        "campaign.yaml",
        Some("campaign.yaml:6:"),
        &["嵌套"],
        |ws| {
            ws.yaml(
                "campaign.yaml",
                &format!("{CAMPAIGN}时间安排: {}{}\n", "{a: ".repeat(50_000), "}".repeat(50_000)),
            );
        },
    ));

    c.push(case(
        "1 MB header cell",
        Warning,
        "大表头.xlsx",
        Some("大表头.xlsx › 户 › J1"),
        &["无法识别的表头"],
        |ws| {
            let mut h = HH_HEADERS.to_vec();
            h.push("备用");
            let b = household_book(&h, &[hh_row(1)]);
            let big = "长".repeat(350_000);
            ws.write(
                "大表头.xlsx",
                &patch_xlsx(&b, "xl/sharedStrings.xml", |x| {
                    x.replacen(">备用<", &format!(">{big}<"), 1)
                }),
            );
        },
    ));
    c.push(case(
        "formula error in the ID column",
        Error,
        "公式3.xlsx",
        Some("公式3.xlsx › 户 › E2"),
        &["#N/A"],
        |ws| {
            ws.xlsx("公式3.xlsx", |wb| {
                let s = wb.add_worksheet();
                s.set_name("户").unwrap();
                row(s, 0, HH_HEADERS);
                let r = hh_row(1);
                row(s, 1, &hh_row_refs(&r));
                s.write_formula(1, 4, Formula::new("=VLOOKUP(1,A:A,2,0)").set_result("#N/A"))
                    .unwrap();
            });
        },
    ));

    // ---- the workspace itself
    c.push(case(
        "a symlink loop below the workspace",
        Warning,
        "村/loop",
        None,
        &["工作区内文件夹", "不沿链接读取"],
        |ws| {
            std::fs::create_dir_all(ws.root().join("村")).unwrap();
            ws.write("村/甲村.xlsx", &household_book(HH_HEADERS, &[hh_row(1)]));
            #[cfg(unix)]
            std::os::unix::fs::symlink("..", ws.root().join("村/loop")).unwrap();
        },
    ));
    catalogue_discovery(&mut c);
    c
}

/// Runs `check` on the case's workspace again and returns its stdout (for `after` checks on what
/// was read).
fn check_stdout(ws: &Ws) -> String {
    let root = ws.root();
    run(&["check".as_ref(), root.as_os_str()]).stdout
}

/// An `after` check: `check` counts exactly `n` households.
fn households_read(n: usize) -> Option<AfterCheck> {
    Some(Box::new(move |ws: &Ws, _b: &Run| {
        let out = check_stdout(ws);
        if out.contains(&format!("户 {n}，")) {
            Ok(())
        } else {
            Err(format!("expected 户 {n}:\n{out}"))
        }
    }))
}

fn with_after(mut k: Case, after: Option<AfterCheck>) -> Case {
    k.after = after;
    k
}

/// A procedure list for household H001 (stage dates given).
const PROCEDURE_YAML: &str = "程序:\n- 户编号: 'H001'\n  程序类型: 识别纳入\n  线索来源: 干部排查\n  发现线索: 2024-05-16\n  入户核实: 2024-05-17\n";

/// Discovery: duplicates across files, hidden sheets, unread kinds, links, output folders.
fn catalogue_discovery(c: &mut Vec<Case>) {
    let head = id("19800101", 1);
    let village = household_yaml("H001", &head, "", &member_yaml("张三", &head, "户主"));
    let v = village.clone();
    c.push(case(
        "the same 程序 rows in a second file",
        Error,
        "新村（补报）.yaml",
        Some("新村（补报）.yaml:"),
        &["登记了两次", "新村.yaml", "识别纳入"],
        move |ws| {
            ws.yaml("新村.yaml", &format!("{v}{PROCEDURE_YAML}"));
            ws.yaml("新村（补报）.yaml", PROCEDURE_YAML);
        },
    ));
    let v = village.clone();
    c.push(case(
        "the same 问题 row in a second file",
        Error,
        "新村（补报）.yaml",
        Some("新村（补报）.yaml:"),
        &["登记了两次", "新村.yaml", "问题"],
        move |ws| {
            let problem = "问题:\n- 乡镇: 石桥镇\n  村: 甲村\n  户编号: 'H001'\n  问题层级: 户内\n  问题类型: 防止返贫动态监测\n  具体内容: 收入骤减未及时纳入监测\n  整改措施: 入户核实\n  责任人: 李四\n  责任单位: 镇乡村振兴办\n  整改时限: 2024-06-20\n";
            ws.yaml("新村.yaml", &format!("{v}{problem}"));
            ws.yaml("新村（补报）.yaml", problem);
        },
    ));
    let v = village.clone();
    c.push(case(
        "the same 进度 report twice",
        Error,
        "进度2.yaml",
        Some("进度2.yaml:"),
        &["登记了两次", "进度1.yaml", "全面培训部署"],
        move |ws| {
            let report = "进度:\n- 单位: 石桥镇\n  节点: 全面培训部署\n  完成日期: 2024-05-09\n";
            ws.yaml("新村.yaml", &v);
            ws.yaml("进度1.yaml", report);
            ws.yaml("进度2.yaml", report);
        },
    ));
    c.push(with_after(
        case(
            "a household on a hidden sheet",
            Warning,
            "隐藏.xlsx",
            Some("隐藏.xlsx › 补充户"),
            &["隐藏", "照常读取"],
            |ws| {
                ws.xlsx("隐藏.xlsx", |wb| {
                    let s = wb.add_worksheet();
                    s.set_name("户").unwrap();
                    row(s, 0, HH_HEADERS);
                    row(s, 1, &hh_row_refs(&hh_row(1)));
                    let h = wb.add_worksheet();
                    h.set_name("补充户").unwrap();
                    h.set_hidden(true);
                    row(h, 0, HH_HEADERS);
                    row(h, 1, &hh_row_refs(&hh_row(2)));
                });
            },
        ),
        households_read(2),
    ));
    c.push(case(
        "a very hidden sheet",
        Warning,
        "深度隐藏.xlsx",
        Some("深度隐藏.xlsx › 补充户"),
        &["深度隐藏", "照常读取", "Alt+F11"],
        |ws| {
            let b = xlsx_bytes(|wb| {
                let s = wb.add_worksheet();
                s.set_name("户").unwrap();
                row(s, 0, HH_HEADERS);
                row(s, 1, &hh_row_refs(&hh_row(1)));
                let h = wb.add_worksheet();
                h.set_name("补充户").unwrap();
                h.set_hidden(true);
                row(h, 0, HH_HEADERS);
                row(h, 1, &hh_row_refs(&hh_row(2)));
            });
            ws.write(
                "深度隐藏.xlsx",
                &patch_xlsx(&b, "xl/workbook.xml", |x| {
                    x.replace("state=\"hidden\"", "state=\"veryHidden\"")
                }),
            );
        },
    ));
    for (file, ext) in [
        ("甲村.csv", ".csv"),
        ("甲村.et", ".et"),
        ("照片.jpg", ".jpg"),
        ("报告.docx", ".docx"),
    ] {
        c.push(case(
            "a file kind that is not read",
            Warning,
            file,
            None,
            &["未读取", ext],
            move |ws| {
                ws.write("甲村.xlsx", &household_book(HH_HEADERS, &[hh_row(1)]));
                ws.write(&format!("村级数据/{file}"), "户编号,户主姓名\nH009,王五\n".as_bytes());
            },
        ));
    }
    c.push(case(
        "only unreadable files",
        Warning,
        "工作区",
        None,
        &["没有可读取的数据文件"],
        |ws| {
            ws.write("甲村.csv", "户编号,户主姓名\nH009,王五\n".as_bytes());
        },
    ));
    c.push(case(
        "no data files at all",
        Warning,
        "工作区",
        None,
        &["没有数据文件"],
        |_| {},
    ));
    c.push(with_after(
        // Read: its rows get the same checks as an .xlsx's.
        case(
            "an .xlsm workbook is read",
            Warning,
            "甲村.xlsm",
            Some("甲村.xlsm › 户 › H3"),
            &["列出了0名成员"],
            |ws| {
                ws.write("甲村.xlsm", &household_book(HH_HEADERS, &[hh_row(1), hh_row(2)]));
            },
        ),
        households_read(2),
    ));
    c.push(with_after(
        case(
            "an output folder inside the workspace (marker)",
            Warning,
            "生成结果",
            None,
            &["fangpin 生成的输出", "不当作数据读取"],
            |ws| {
                ws.write("甲村.xlsx", &household_book(HH_HEADERS, &[hh_row(1)]));
                ws.write("生成结果/.fangpin-output", b"");
                ws.write("生成结果/旧/甲村.xlsx", &household_book(HH_HEADERS, &[hh_row(2)]));
            },
        ),
        households_read(1),
    ));
    c.push(with_after(
        case(
            "an older output folder inside the workspace (manifest)",
            Warning,
            "村级数据/上次",
            None,
            &["fangpin 生成的输出"],
            |ws| {
                ws.write("甲村.xlsx", &household_book(HH_HEADERS, &[hh_row(1)]));
                ws.write("村级数据/上次/manifest.json", br#"{"fangpin": "0.1.0", "outputs": []}"#);
                ws.write(
                    "村级数据/上次/石桥镇/监测对象名册.xlsx",
                    &household_book(HH_HEADERS, &[hh_row(2)]),
                );
            },
        ),
        households_read(1),
    ));
    c.push(with_after(
        case(
            "a manifest.json that is not fangpin's does not hide data",
            Warning,
            "村级数据/manifest.json",
            None,
            &[".json", "未读取"],
            |ws| {
                ws.write("村级数据/manifest.json", br#"{"name": "x"}"#);
                ws.write("村级数据/甲村.xlsx", &household_book(HH_HEADERS, &[hh_row(1)]));
            },
        ),
        households_read(1),
    ));
    #[cfg(unix)]
    {
        c.push(with_after(
            case(
                "a symlink to a folder outside the workspace",
                Warning,
                "村级数据/外部",
                None,
                &["工作区以外", "未读取"],
                |ws| {
                    ws.write("甲村.xlsx", &household_book(HH_HEADERS, &[hh_row(1)]));
                    let outside = ws.dir.path().join("外部数据");
                    std::fs::create_dir_all(&outside).unwrap();
                    std::fs::write(outside.join("乙村.xlsx"), household_book(HH_HEADERS, &[hh_row(2)])).unwrap();
                    std::fs::create_dir_all(ws.root().join("村级数据")).unwrap();
                    std::os::unix::fs::symlink(&outside, ws.root().join("村级数据/外部")).unwrap();
                },
            ),
            households_read(1),
        ));
        c.push(with_after(
            case(
                "a symlink to the filesystem root",
                Warning,
                "村级数据/root",
                None,
                &["工作区以外"],
                |ws| {
                    ws.write("甲村.xlsx", &household_book(HH_HEADERS, &[hh_row(1)]));
                    std::fs::create_dir_all(ws.root().join("村级数据")).unwrap();
                    std::os::unix::fs::symlink("/", ws.root().join("村级数据/root")).unwrap();
                },
            ),
            Some(Box::new(|ws: &Ws, b: &Run| {
                // Not walking the filesystem: the whole build takes seconds, not minutes.
                if b.elapsed > Duration::from_secs(30) {
                    return Err(format!("build took {:?}", b.elapsed));
                }
                households_read(1).unwrap()(ws, b)
            })),
        ));
        c.push(case(
            "a symlink to a file outside the workspace",
            Warning,
            "乙村.xlsx",
            None,
            &["工作区以外"],
            |ws| {
                ws.write("甲村.xlsx", &household_book(HH_HEADERS, &[hh_row(1)]));
                let outside = ws.dir.path().join("乙村.xlsx");
                std::fs::write(&outside, household_book(HH_HEADERS, &[hh_row(2)])).unwrap();
                std::os::unix::fs::symlink(&outside, ws.root().join("乙村.xlsx")).unwrap();
            },
        ));
        c.push(with_after(
            case(
                "a symlink beside its target inside the workspace",
                Warning,
                "链接.xlsx",
                None,
                &["同一个文件", "未重复读取"],
                |ws| {
                    ws.write("甲村.xlsx", &household_book(HH_HEADERS, &[hh_row(1)]));
                    std::os::unix::fs::symlink("甲村.xlsx", ws.root().join("链接.xlsx")).unwrap();
                },
            ),
            households_read(1),
        ));
        c.push(case(
            "a FIFO named like a workbook",
            Warning,
            "管道.xlsx",
            None,
            &["不是普通文件"],
            |ws| {
                ws.write("甲村.xlsx", &household_book(HH_HEADERS, &[hh_row(1)]));
                let ok = std::process::Command::new("mkfifo")
                    .arg(ws.root().join("管道.xlsx"))
                    .status()
                    .unwrap()
                    .success();
                assert!(ok, "mkfifo");
            },
        ));
    }
}

// ------------------------------------------------------------------ checking one case

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c))
}

/// The line of the output that carries the case's message, if any.
fn message_line<'a>(all: &'a str, k: &Case) -> Option<&'a str> {
    let marker = match k.outcome {
        Error => "错误",
        Warning => "警告",
        Clean => return None,
    };
    // Fatal workspace errors (no campaign.yaml) are one plain sentence; diagnostics carry [错误]/[警告].
    let marked = all.lines().any(|l| l.contains(marker));
    all.lines().find(|l| {
        l.contains(k.file)
            && marked
            && has_cjk(l)
            && k.place.as_deref().is_none_or(|p| l.contains(p))
            && k.words.iter().all(|w| l.contains(w))
    })
}

/// Every file and folder below `dir` (relative), including hidden ones.
fn listing(dir: &Path) -> Vec<String> {
    if !dir.exists() {
        return Vec::new();
    }
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap().path().strip_prefix(dir).unwrap().display().to_string())
        .collect()
}

/// Problems of one case (empty when it passes).
fn check_case(k: &Case) -> Vec<String> {
    let ws = Ws::new();
    (k.setup)(&ws);
    let mut fails = Vec::new();
    let mut fail = |what: String| fails.push(format!("[{}] {what}", k.name));
    let root = ws.root();
    let out = ws.out();

    // check
    let r = run(&["check".as_ref(), root.as_os_str()]);
    let want = if k.outcome == Error { 2 } else { 0 };
    if r.code != Some(want) {
        fail(format!("check exit {:?}, want {want}\n{}", r.code, r.all()));
    }
    if r.all().contains("panicked") {
        fail(format!("check panicked\n{}", r.stderr));
    }
    match k.outcome {
        Error | Warning => {
            if message_line(&r.all(), k).is_none() {
                fail(format!(
                    "check: no {:?} line naming {} {:?} with {:?}\n{}",
                    k.outcome,
                    k.file,
                    k.place,
                    k.words,
                    r.all()
                ));
            }
        }
        Clean => {
            // The tally line says 错误 0 on every run; a clean case has no problem and no finding.
            if r.stdout.contains(k.file) || !r.stdout.contains("数据：错误 0，警告 0") || r.stdout.contains("[错误]")
            {
                fail(format!("check reported something for a clean case\n{}", r.all()));
            }
        }
    }

    // build
    let mut args: Vec<&std::ffi::OsStr> = vec!["build".as_ref(), root.as_os_str(), "--out".as_ref(), out.as_os_str()];
    if k.outcome != Error {
        // Accepted inputs: XLSX-only kinds keep the catalogue fast (PDF output is tested elsewhere).
        args.extend([std::ffi::OsStr::new("--only"), std::ffi::OsStr::new("roster,problems")]);
    }
    let b = run(&args);
    if b.code != Some(want) {
        fail(format!("build exit {:?}, want {want}\n{}", b.code, b.all()));
    }
    if b.all().contains("panicked") {
        fail(format!("build panicked\n{}", b.stderr));
    }
    // The output marker and lock are fangpin's own bookkeeping (README “输出文件夹的规则”).
    let files: Vec<String> = listing(&out)
        .into_iter()
        .filter(|f| f != fangpin::model::OUTPUT_MARKER && f != fangpin::build::LOCK_FILE)
        .collect();
    match k.outcome {
        Error => {
            if message_line(&b.all(), k).is_none() {
                fail(format!(
                    "build: no error line naming {} {:?}\n{}",
                    k.file,
                    k.place,
                    b.all()
                ));
            }
            // Only the documented problem list, and only when the campaign itself was readable.
            let allowed = files.is_empty() || files == [PROBLEM_LIST];
            if !allowed {
                fail(format!("build wrote {files:?}"));
            }
            if files == [PROBLEM_LIST]
                && let Err(e) = problem_list_names(&out.join(PROBLEM_LIST), k.file)
            {
                fail(e);
            }
        }
        Warning | Clean => {
            if !files.iter().any(|f| f.ends_with("manifest.json")) || files.iter().any(|f| f.contains(".partial-")) {
                fail(format!("build output {files:?}"));
            }
            if k.outcome == Warning && !b.stdout.contains("警告") {
                fail(format!("build summary lacks the warning count\n{}", b.stdout));
            }
        }
    }
    if let Some(after) = &k.after
        && let Err(e) = after(&ws, &b)
    {
        fail(e);
    }
    let slow = r.elapsed.max(b.elapsed);
    if slow > Duration::from_secs(60) {
        fail(format!("took {slow:?}"));
    }
    fails
}

/// The 数据问题清单 lists a problem in `file`.
fn problem_list_names(path: &Path, file: &str) -> Result<(), String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).map_err(|e: calamine::XlsxError| e.to_string())?;
    for name in wb.sheet_names() {
        let r = wb.worksheet_range(&name).map_err(|e| e.to_string())?;
        if r.used_cells()
            .any(|(_, _, d)| matches!(d, Data::String(s) if s.contains(file)))
        {
            return Ok(());
        }
    }
    Err(format!("数据问题清单 does not mention {file}"))
}

#[test]
fn catalogue_of_malformed_inputs() {
    let cases = catalogue();
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    let only = std::env::var("BAD_INPUT_CASE").ok();
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(k) = cases.get(i) else { break };
                    if only.as_deref().is_some_and(|o| !k.name.contains(o)) {
                        continue;
                    }
                    let f = check_case(k);
                    failures.lock().unwrap().extend(f);
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    eprintln!("{} cases in {:?}", cases.len(), started.elapsed());
    assert!(
        failures.is_empty(),
        "{} failure(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

// ------------------------------------------------------------------ bounded resources

/// Peak resident memory of a finished child, polled from /proc while it runs (VmHWM only grows,
/// so the last reading is within one poll interval of the true peak).
struct Measured {
    run: Run,
    peak_kb: u64,
}

fn run_measured(args: &[&std::ffi::OsStr]) -> Measured {
    use std::process::Stdio;
    let started = Instant::now();
    let mut child = command(args, &[])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status_path = format!("/proc/{}/status", child.id());
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let mut peak_kb = 0;
    let status = loop {
        if let Ok(text) = std::fs::read_to_string(&status_path)
            && let Some(line) = text.lines().find(|l| l.starts_with("VmHWM:"))
        {
            peak_kb = peak_kb.max(line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).unwrap_or(0));
        }
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Measured {
        run: Run {
            code: status.and_then(|s| s.code()),
            stdout: t_out.join().unwrap(),
            stderr: t_err.join().unwrap(),
            elapsed: started.elapsed(),
        },
        peak_kb,
    }
}

/// An xlsx package written part by part (sheet XML streamed from `rows`), so multi-million-row
/// sheets are generated in seconds without rust_xlsxwriter.
fn raw_xlsx(shared: &[String], rows: impl Iterator<Item = String>) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().large_file(true);
    let parts: [(&str, &str); 4] = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="户" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#,
        ),
    ];
    for (name, text) in parts {
        w.start_file(name, opts).unwrap();
        w.write_all(text.as_bytes()).unwrap();
    }
    w.start_file("xl/sharedStrings.xml", opts).unwrap();
    w.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#)
        .unwrap();
    for t in shared {
        w.write_all(b"<si><t>").unwrap();
        w.write_all(t.as_bytes()).unwrap();
        w.write_all(b"</t></si>").unwrap();
    }
    w.write_all(b"</sst>").unwrap();
    w.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
    w.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#)
        .unwrap();
    let mut buf = String::new();
    for r in rows {
        buf.push_str(&r);
        if buf.len() > 1 << 20 {
            w.write_all(buf.as_bytes()).unwrap();
            buf.clear();
        }
    }
    w.write_all(buf.as_bytes()).unwrap();
    w.write_all(b"</sheetData></worksheet>").unwrap();
    w.finish().unwrap().into_inner()
}

/// Shared strings: the household headers, then one valid household row's values.
fn household_strings(name_cell: Option<String>) -> Vec<String> {
    let mut v: Vec<String> = HH_HEADERS.iter().map(|s| s.to_string()).collect();
    let mut r = hh_row(1);
    if let Some(n) = name_cell {
        r[3] = n;
    }
    v.extend(r.into_iter().map(|x| x.trim_start_matches("#n").to_string()));
    v
}

/// A sheet row whose cells are the shared strings `first..first+9` (row numbers left implicit,
/// as some generators write them).
fn shared_row(first: usize) -> String {
    let mut r = String::from("<row>");
    for i in 0..HH_HEADERS.len() {
        r.push_str(&format!(r#"<c t="s"><v>{}</v></c>"#, first + i));
    }
    r.push_str("</row>");
    r
}

/// An .ods with the household header and one data row repeated `times` times.
fn repeated_ods(times: u64) -> Vec<u8> {
    let cell =
        |v: &str| format!(r#"<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>"#);
    let header: String = HH_HEADERS.iter().map(|h| cell(h)).collect();
    let data: String = hh_row(1).iter().map(|v| cell(v.trim_start_matches("#n"))).collect();
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="户"><table:table-row>{header}</table:table-row><table:table-row table:number-rows-repeated="{times}">{data}</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    zip_bytes(&[
        ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
        ("META-INF/manifest.xml", manifest.as_bytes()),
        ("content.xml", content.as_bytes()),
    ])
}

/// The issue's resource reproductions (and one just under the limits), each run through `check`
/// with its peak memory measured: refused or read calmly, in bounded memory and time.
#[test]
fn oversized_inputs_are_read_in_bounded_memory() {
    const MAX_PEAK_KB: u64 = 1536 * 1024;
    let n = HH_HEADERS.len();
    type Make = Box<dyn Fn() -> Vec<u8>>;
    let cases: Vec<(&str, &str, Make, &[&str])> = vec![
        (
            ".ods with 1,040,000 repeated rows",
            "重复行.ods",
            Box::new(|| repeated_ods(1_040_000)),
            &["重复行列展开后范围过大", "上限800万个单元格"],
        ),
        (
            ".ods with 550,000 repeated rows (under the cell limit)",
            "重复行.ods",
            Box::new(|| repeated_ods(550_000)),
            &["数据行超过200000行", "户 › A200002"],
        ),
        (
            "xlsx with 3 million identical rows",
            "三百万行.xlsx",
            Box::new(move || {
                raw_xlsx(
                    &household_strings(None),
                    std::iter::once(shared_row(0)).chain((0..3_000_000).map(move |_| shared_row(n))),
                )
            }),
            &["超过 Excel 的行数上限", "1048576行"],
        ),
        (
            "xlsx with 1,000,000 identical rows (under Excel's limit)",
            "百万行.xlsx",
            Box::new(move || {
                raw_xlsx(
                    &household_strings(None),
                    std::iter::once(shared_row(0)).chain((0..1_000_000).map(move |_| shared_row(n))),
                )
            }),
            &["使用范围过大", "上限800万"],
        ),
        (
            "xlsx with one 300-million-character cell",
            "长单元格.xlsx",
            Box::new(move || {
                raw_xlsx(
                    &household_strings(Some("x".repeat(300_000_000))),
                    [shared_row(0), shared_row(n)].into_iter(),
                )
            }),
            &["xl/sharedStrings.xml", "超过4 MB", "32767个字符"],
        ),
    ];
    let only = std::env::var("BAD_INPUT_CASE").ok();
    let mut report = Vec::new();
    let mut fails = Vec::new();
    for (name, file, make, words) in cases {
        if only.as_deref().is_some_and(|o| !name.contains(o)) {
            continue;
        }
        let ws = Ws::new();
        ws.write(file, &make());
        let root = ws.root();
        let m = run_measured(&["check".as_ref(), root.as_os_str()]);
        let all = m.run.all();
        report.push(format!("{name}: {} KB peak, {:?}", m.peak_kb, m.run.elapsed));
        if m.run.code != Some(2) {
            fails.push(format!(
                "[{name}] exit {:?}, want 2\n{}",
                m.run.code,
                &all[..all.len().min(3000)]
            ));
        }
        let line = all
            .lines()
            .find(|l| l.contains("[错误]") && l.contains(file) && words.iter().all(|w| l.contains(w)));
        if line.is_none() {
            fails.push(format!(
                "[{name}] no error naming {file} with {words:?}\n{}",
                &all[..all.len().min(3000)]
            ));
        }
        if all.contains("panicked") || all.contains("memory allocation") {
            fails.push(format!("[{name}] aborted\n{}", m.run.stderr));
        }
        if m.peak_kb == 0 || m.peak_kb > MAX_PEAK_KB {
            fails.push(format!("[{name}] peak {} KB (limit {MAX_PEAK_KB} KB)", m.peak_kb));
        }
    }
    eprintln!("{}", report.join("\n"));
    assert!(fails.is_empty(), "{}", fails.join("\n\n"));
}
