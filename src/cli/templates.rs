#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> u8 {
    eprintln!("此命令正在开发中。");
    super::EXIT_FAILURE
}
