use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// 输出文件夹（fangpin build 的 --out，默认 output）
    #[arg(default_value = "output")]
    dir: PathBuf,
}

pub fn run(args: Args) -> u8 {
    let reports = match fangpin::build::verify(&args.dir) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return super::EXIT_FAILURE;
        }
    };
    let mut bad = false;
    for r in &reports {
        println!("{}：核对 {} 个文件", r.manifest.display(), r.checked);
        for p in &r.changed {
            println!("  已改动：{p}");
        }
        for p in &r.missing {
            println!("  缺失：{p}");
        }
        for p in &r.outside {
            println!(
                "  路径指向输出文件夹之外，未读取：{}",
                fangpin::model::escape_controls(p)
            );
        }
        for p in &r.extra {
            println!("  清单外文件（未登记）：{p}");
        }
        bad |= !r.ok();
    }
    if bad {
        println!(
            "核对未通过：有文件被改动、缺失，或 manifest.json 登记了输出文件夹之外的路径。请重新运行 fangpin build 生成。"
        );
        super::EXIT_INPUT
    } else {
        println!("核对通过：所有文件与 manifest.json 一致。");
        super::EXIT_OK
    }
}
