//! One file per subcommand. Each `run` returns the process exit code:
//! 0 success (warnings allowed), 2 input errors, 1 anything else.

pub mod build;
pub mod calendar;
pub mod check;
pub mod compliance;
pub mod fonts;
pub mod gen_cmd;
pub mod help;
pub mod render;
pub mod serve;
pub mod template;
pub mod templates;
pub mod verify;

use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};

/// The one exit-code policy, declared in the library (`site`).
pub use fangpin::site::{EXIT_FAILURE, EXIT_INPUT, EXIT_OK};

/// The caller's date: the CLI is the one place that reads the clock.
pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// Set once stdout's reader went away (`fangpin compliance … | head -1`).
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes `text` to stdout. When the reader has gone (a closed pipe) the rest of the output is
/// dropped quietly and the command still ends with its own exit code, instead of the panic
/// `print!` gives.
pub fn print(text: &str) {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("警告：无法写出结果：{}", fangpin::render::io_reason(&e));
        }
    }
}

/// [`print`] with a newline.
pub fn println(text: &str) {
    print(&format!("{text}\n"));
}
