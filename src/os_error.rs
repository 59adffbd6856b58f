//! OS errors in Chinese, for every stage that touches files (ingest, render, build, the CLI).

/// An OS error in Chinese, the system's own (English) text after it in brackets:
/// `没有读取或写入权限（Permission denied (os error 13)）`.
pub fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    let zh = match e.kind() {
        K::NotFound => "找不到该文件或文件夹",
        K::PermissionDenied => "没有读取或写入权限",
        K::AlreadyExists => "同名文件或文件夹已存在",
        K::WouldBlock | K::TimedOut => "操作超时或被阻塞",
        K::InvalidInput | K::InvalidData => "内容无效或已损坏",
        K::UnexpectedEof => "文件不完整（提前结束）",
        K::WriteZero | K::StorageFull => "磁盘空间不足",
        K::Interrupted => "操作被中断",
        K::BrokenPipe => "输出管道已关闭",
        K::NotADirectory => "路径中有一段不是文件夹",
        K::IsADirectory => "这是文件夹，不是文件",
        K::DirectoryNotEmpty => "文件夹不是空的",
        K::ReadOnlyFilesystem => "磁盘或文件夹是只读的",
        K::ResourceBusy | K::ExecutableFileBusy => "文件正被其他程序占用",
        K::FileTooLarge => "文件过大",
        K::InvalidFilename => "文件名无效（过长或含不允许的字符）",
        K::CrossesDevices => "不能跨磁盘移动",
        K::OutOfMemory => "内存不足",
        _ => "系统错误",
    };
    format!("{zh}（{e}）")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_are_chinese_first_with_the_detail_after() {
        let e = std::io::Error::from(std::io::ErrorKind::NotFound);
        let s = io_reason(&e);
        assert!(s.starts_with("找不到该文件或文件夹（"), "{s}");
        let e = std::io::Error::from_raw_os_error(13);
        assert!(io_reason(&e).starts_with("没有读取或写入权限（"), "{}", io_reason(&e));
    }
}
