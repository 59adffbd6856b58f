//! Vetting of OLE compound files (old .xls workbooks, encrypted .xlsx packages) before calamine
//! reads them. calamine trusts the container: a sector number past the end of the file panics, a
//! cycle in the allocation table loops while memory grows, and a sheet's DIMENSIONS record is
//! reserved up front (a 4 KB file asked for 43 TB and aborted the process). Each structure calamine
//! follows is checked here, and a file that fails is reported as damaged instead.

use super::limits::MAX_SHEET_CELLS;

const SIGNATURE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
/// Sector numbers from here up are markers (DIFSECT, FATSECT, ENDOFCHAIN, FREESECT, reserved).
const MAXREGSECT: u32 = 0xFFFF_FFFA;
const MINI_SECTOR: usize = 64;

/// True when the bytes are an OLE compound file.
pub fn is_ole(bytes: &[u8]) -> bool {
    bytes.starts_with(&SIGNATURE)
}

/// Checks an OLE compound file (already padded to whole sectors, see `limits::pad_ole`): every
/// sector chain calamine follows stays inside the file and ends, and every worksheet's DIMENSIONS
/// record is sane. `Err` is a Chinese description of the damage.
pub fn vet(bytes: &[u8]) -> Result<(), String> {
    let damaged = |what: &str| format!("文件结构已损坏（{what}），可能是文件不完整或被改动过");
    if bytes.len() < 512 || !is_ole(bytes) {
        return Err(damaged("不是完整的 OLE 复合文档"));
    }
    let u16_at = |o: usize| u16::from_le_bytes([bytes[o], bytes[o + 1]]);
    let u32_at = |b: &[u8], o: usize| u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]);
    let (header, size) = match u16_at(30) {
        9 => (512usize, 512usize),
        12 => (4096, 4096),
        _ => return Err(damaged("扇区大小无效")),
    };
    if u16_at(32) != 6 || bytes.len() < header {
        return Err(damaged("文件头无效"));
    }
    let n = (bytes.len() - header) / size;
    let sector = |id: u32| -> Option<&[u8]> {
        let id = id as usize;
        (id < n).then(|| &bytes[header + id * size..header + (id + 1) * size])
    };

    // FAT sectors: the 109 in the header, then the DIFAT chain.
    let mut fat_sectors: Vec<u32> = (0..109).map(|i| u32_at(bytes, 76 + 4 * i)).collect();
    let mut difat = u32_at(bytes, 68);
    let mut hops = 0;
    while difat < MAXREGSECT {
        hops += 1;
        let s = sector(difat).ok_or_else(|| damaged("DIFAT 扇区超出文件末尾"))?;
        if hops > n {
            return Err(damaged("DIFAT 链成环"));
        }
        let per = size / 4 - 1;
        fat_sectors.extend((0..per).map(|i| u32_at(s, 4 * i)));
        difat = u32_at(s, 4 * per);
    }
    let mut fat: Vec<u32> = Vec::new();
    // calamine takes every listed entry below DIFSECT (0xFFFFFFFC) as a FAT sector.
    for id in fat_sectors.into_iter().filter(|id| *id < 0xFFFF_FFFC) {
        let s = sector(id).ok_or_else(|| damaged("分配表扇区超出文件末尾"))?;
        fat.extend((0..size / 4).map(|i| u32_at(s, 4 * i)));
    }
    // A chain may only name sectors that exist in the file and in the table.
    let limit = n.min(fat.len());
    let chain = |start: u32, table: &[u32], limit: usize, what: &str| -> Result<Vec<u32>, String> {
        let mut ids = Vec::new();
        let mut seen = vec![false; limit];
        let mut id = start;
        while id != ENDOFCHAIN {
            let i = id as usize;
            if i >= limit {
                return Err(damaged(&format!("{what}指向文件末尾之外")));
            }
            if seen[i] {
                return Err(damaged(&format!("{what}成环")));
            }
            seen[i] = true;
            ids.push(id);
            id = table[i];
        }
        Ok(ids)
    };

    // Directory entries (128 bytes each).
    let dir_ids = chain(u32_at(bytes, 48), &fat, limit, "目录链")?;
    let mut entries: Vec<&[u8]> = Vec::new();
    for id in &dir_ids {
        if let Some(s) = sector(*id) {
            entries.extend(s.chunks_exact(128));
        }
    }
    let Some(root) = entries.first() else {
        return Err(damaged("没有根目录"));
    };
    let stream_len = |e: &[u8]| -> u64 {
        if size == 512 {
            u64::from(u32_at(e, 120))
        } else {
            u64::from(u32_at(e, 120)) | (u64::from(u32_at(e, 124)) << 32)
        }
    };

    // The mini stream (in regular sectors from the root entry) and the mini FAT.
    let mini_fat_sectors = u32_at(bytes, 64);
    let (mini_fat, mini_count) = if mini_fat_sectors > 0 {
        let stream = chain(u32_at(root, 116), &fat, limit, "迷你流链")?;
        let mini_len = (stream.len() * size).min(usize::try_from(stream_len(root)).unwrap_or(usize::MAX));
        let table_ids = chain(u32_at(bytes, 60), &fat, limit, "迷你分配表链")?;
        let mut table = Vec::new();
        for id in table_ids.iter().take(mini_fat_sectors as usize) {
            if let Some(s) = sector(*id) {
                table.extend((0..size / 4).map(|i| u32_at(s, 4 * i)));
            }
        }
        (table, mini_len / MINI_SECTOR)
    } else {
        (Vec::new(), 0)
    };

    // Streams calamine reads: the workbook (old .xls); the others only by name.
    let name_of = |e: &[u8]| -> String {
        let units: Vec<u16> = (0..32).map(|i| u16::from_le_bytes([e[2 * i], e[2 * i + 1]])).collect();
        let end = units.iter().position(|u| *u == 0).unwrap_or(units.len());
        String::from_utf16_lossy(&units[..end])
    };
    let Some(book) = entries
        .iter()
        .find(|e| ["workbook", "book"].contains(&name_of(e).to_lowercase().as_str()))
    else {
        return Ok(());
    };
    let len = usize::try_from(stream_len(book)).unwrap_or(usize::MAX);
    let start = u32_at(book, 116);
    let mut data = Vec::new();
    if len < 4096 {
        let mini_limit = mini_count.min(mini_fat.len());
        let ids = chain(start, &mini_fat, mini_limit, "工作簿流（迷你）链")?;
        // Mini sectors live inside the mini stream, itself a chain of regular sectors.
        let stream = chain(u32_at(root, 116), &fat, limit, "迷你流链")?;
        let mut mini = Vec::new();
        for id in stream {
            mini.extend_from_slice(sector(id).unwrap_or_default());
        }
        for id in ids {
            let at = id as usize * MINI_SECTOR;
            data.extend_from_slice(mini.get(at..at + MINI_SECTOR).unwrap_or_default());
        }
    } else {
        for id in chain(start, &fat, limit, "工作簿流链")? {
            data.extend_from_slice(sector(id).unwrap_or_default());
        }
    }
    data.truncate(len);
    vet_biff(&data)
}

/// Every DIMENSIONS record of the workbook stream describes a sheet calamine can hold.
fn vet_biff(stream: &[u8]) -> Result<(), String> {
    let mut at = 0;
    while at + 4 <= stream.len() {
        let typ = u16::from_le_bytes([stream[at], stream[at + 1]]);
        let len = usize::from(u16::from_le_bytes([stream[at + 2], stream[at + 3]]));
        let body = stream.get(at + 4..at + 4 + len).unwrap_or_default();
        at += 4 + len;
        if typ != 0x0200 {
            continue;
        }
        let r16 = |o: usize| u32::from(u16::from_le_bytes([body[o], body[o + 1]]));
        let r32 = |o: usize| u32::from_le_bytes([body[o], body[o + 1], body[o + 2], body[o + 3]]);
        // [MS-XLS] 2.4.90 (BIFF8: 14 bytes) and the older 10-byte form, read as calamine does.
        let (rf, rl, mut cf, cl) = match body.len() {
            10 => (r16(0), r16(2), r16(4), r16(6)),
            14 | 16 => (r32(0), r32(4), r16(8), r16(10)),
            _ => continue,
        };
        if 0xFF < cf || cl < cf {
            cf = 0;
        }
        if rl >= 1 && cl >= 1 {
            let rows = i64::from(rl) - i64::from(rf);
            let cols = i64::from(cl) - i64::from(cf);
            if rows < 1 || cols < 1 {
                return Err("文件结构已损坏（工作表的范围记录首尾颠倒），可能是文件不完整或被改动过".to_string());
            }
            if rows.saturating_mul(cols) as u64 > MAX_SHEET_CELLS {
                return Err(format!(
                    "工作表的使用范围过大（{rows}行×{cols}列），无法读取。请用 Excel 或 WPS 打开，删除表格以外多余的行和列后另存为 .xlsx"
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A version-3 compound file with one stream in regular sectors (padded to 4096 bytes).
    fn ole(stream: &[u8], fat_edit: impl Fn(&mut Vec<u32>)) -> Vec<u8> {
        let mut data = stream.to_vec();
        data.resize(data.len().max(4096).div_ceil(512) * 512, 0);
        let nsec = data.len() / 512;
        let mut fat = vec![0xFFFF_FFFD, ENDOFCHAIN];
        for i in 0..nsec as u32 {
            fat.push(if i + 1 == nsec as u32 { ENDOFCHAIN } else { 3 + i });
        }
        fat_edit(&mut fat);
        fat.resize(128, 0xFFFF_FFFF);
        let mut out = SIGNATURE.to_vec();
        out.extend([0; 16]);
        for v in [0x3Eu16, 3, 0xFFFE, 9, 6] {
            out.extend(v.to_le_bytes());
        }
        out.extend([0; 6]);
        for v in [0u32, 1, 1, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0, 0] {
            out.extend(v.to_le_bytes());
        }
        for _ in 1..109 {
            out.extend(0xFFFF_FFFFu32.to_le_bytes());
        }
        for v in &fat {
            out.extend(v.to_le_bytes());
        }
        let entry = |name: &str, kind: u8, child: u32, start: u32, size: u32| {
            let mut e = vec![0u8; 128];
            let u: Vec<u8> = name.encode_utf16().chain([0]).flat_map(u16::to_le_bytes).collect();
            e[..u.len()].copy_from_slice(&u);
            e[64..66].copy_from_slice(&(u.len() as u16).to_le_bytes());
            e[66] = kind;
            e[68..76].copy_from_slice(&[0xFF; 8]);
            e[76..80].copy_from_slice(&child.to_le_bytes());
            e[116..120].copy_from_slice(&start.to_le_bytes());
            e[120..124].copy_from_slice(&size.to_le_bytes());
            e
        };
        out.extend(entry("Root Entry", 5, 1, ENDOFCHAIN, 0));
        out.extend(entry("Workbook", 2, 0xFFFF_FFFF, 2, data.len() as u32));
        out.extend([0u8; 256]);
        out.extend(data);
        out
    }

    fn dimensions(rf: u32, rl: u32, cf: u16, cl: u16) -> Vec<u8> {
        let mut r = vec![0x00, 0x02, 14, 0];
        r.extend(rf.to_le_bytes());
        r.extend(rl.to_le_bytes());
        r.extend(cf.to_le_bytes());
        r.extend(cl.to_le_bytes());
        r.extend([0, 0]);
        r
    }

    #[test]
    fn sound_files_pass() {
        assert_eq!(vet(&ole(&dimensions(0, 100, 0, 20), |_| {})), Ok(()));
        // No workbook stream at all (an encrypted package): only the container is checked.
        assert_eq!(vet(&ole(b"", |_| {})), Ok(()));
    }

    #[test]
    fn huge_dimensions_are_refused() {
        let e = vet(&ole(&dimensions(0, u32::MAX, 0, 255), |_| {})).unwrap_err();
        assert!(e.contains("范围过大"), "{e}");
        let e = vet(&ole(&dimensions(500, 10, 0, 5), |_| {})).unwrap_err();
        assert!(e.contains("首尾颠倒"), "{e}");
    }

    #[test]
    fn broken_chains_are_refused() {
        // A stream chain that points past the end of the file.
        let e = vet(&ole(&dimensions(0, 1, 0, 1), |f| f[3] = 50)).unwrap_err();
        assert!(e.contains("末尾"), "{e}");
        // A directory chain that loops on itself.
        let e = vet(&ole(b"", |f| f[1] = 1)).unwrap_err();
        assert!(e.contains("成环"), "{e}");
        assert!(vet(b"not ole").is_err());
    }
}
