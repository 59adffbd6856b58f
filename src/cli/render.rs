use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// 文书种类：notice、publicity、elimination-publicity、announcement、commitment、screening、survey、ledger、summary、compliance、roster、problems（也可写中文名）
    kind: String,
    /// 工作区文件夹
    #[arg(default_value = "data")]
    workspace: PathBuf,
    /// 输出文件夹
    #[arg(long, default_value = "output")]
    out: PathBuf,
    /// 统计截止日
    #[arg(long)]
    as_of: Option<String>,
    /// 只生成这个村的
    #[arg(long)]
    village: Option<String>,
}

pub fn run(args: Args) -> u8 {
    super::build::run_cmd(super::build::Args {
        workspace: args.workspace,
        out: args.out,
        as_of: args.as_of,
        only: vec![args.kind],
        village: args.village,
        force: false,
        pdf_standard: None,
    })
}
