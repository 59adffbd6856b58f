//! One file per subcommand. Each `run` returns the process exit code:
//! 0 success (warnings allowed), 2 input errors, 1 anything else.

pub mod build;
pub mod calendar;
pub mod check;
pub mod compliance;
pub mod fonts;
pub mod gen_cmd;
pub mod render;
pub mod template;
pub mod templates;
pub mod verify;

pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILURE: u8 = 1;
pub const EXIT_INPUT: u8 = 2;
