//! Time and memory limits for workspace templates.
//!
//! A workspace may override any built-in template with its own `.typ` or `.tera` file, and such
//! a file is a program: it can loop for ever or build an array of ten billion numbers. Typst and
//! tera have no cancellation API, so a watchdog thread knows which workspace-template render
//! runs on which thread since when, and ends the process with a Chinese message naming the
//! template and the limit when a render runs too long or the process grows past the memory
//! limit while one runs. The binary's allocator (`main.rs`) refuses any single allocation past
//! [`MAX_SINGLE_ALLOCATION`] through [`allocation_refused`], so an absurd request gives the same
//! message instead of an abort.
//!
//! Only renders of workspace templates are watched: the built-in templates are measured (the
//! longest single compile of a 20,000-household county takes a few seconds, the whole build
//! peaks at 1.64 GiB) and pay nothing. The limits are generous for the same reason and can be
//! changed with `FANGPIN_TEMPLATE_TIMEOUT` (seconds) and `FANGPIN_TEMPLATE_MEMORY_MB`.
//!
//! Before the process ends, the hooks registered with [`on_abort`] run (the build removes its
//! staging folder there), so a stopped build leaves the previous outputs as they were.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Environment variable: longest single render of a workspace template, in seconds.
pub const TIMEOUT_VAR: &str = "FANGPIN_TEMPLATE_TIMEOUT";
/// Environment variable: largest process memory (resident) while a workspace template renders, in MB.
pub const MEMORY_VAR: &str = "FANGPIN_TEMPLATE_MEMORY_MB";
/// Default time limit: far above the few seconds a county's longest compile takes.
pub const DEFAULT_TIMEOUT_SECS: f64 = 120.0;
/// Default memory limit: far above the 1.64 GiB a 20,000-household build peaks at.
pub const DEFAULT_MEMORY_MB: u64 = 6 * 1024;
/// Largest single allocation the binary's allocator grants (no fangpin data structure comes near).
pub const MAX_SINGLE_ALLOCATION: usize = 2 << 30;

/// The limits in force (read from the environment once).
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    pub timeout: Duration,
    pub memory_mb: u64,
}

impl Limits {
    /// The limits from `FANGPIN_TEMPLATE_TIMEOUT` / `FANGPIN_TEMPLATE_MEMORY_MB`, defaults for
    /// unset ones; an unusable value is reported (once) and the default used.
    pub fn from_env() -> Limits {
        Limits::parse(
            std::env::var(TIMEOUT_VAR).ok().as_deref(),
            std::env::var(MEMORY_VAR).ok().as_deref(),
            |w| eprintln!("警告：{w}"),
        )
    }

    fn parse(timeout: Option<&str>, memory: Option<&str>, mut warn: impl FnMut(String)) -> Limits {
        let mut limits = Limits {
            timeout: Duration::from_secs_f64(DEFAULT_TIMEOUT_SECS),
            memory_mb: DEFAULT_MEMORY_MB,
        };
        if let Some(t) = timeout.map(str::trim).filter(|t| !t.is_empty()) {
            match t.parse::<f64>() {
                Ok(s) if s.is_finite() && s > 0.0 && s < 1e9 => limits.timeout = Duration::from_secs_f64(s),
                _ => warn(format!(
                    "环境变量 {TIMEOUT_VAR} 的值“{t}”不是正数（秒），仍按 {DEFAULT_TIMEOUT_SECS} 秒限制模板排版时间"
                )),
            }
        }
        if let Some(m) = memory.map(str::trim).filter(|m| !m.is_empty()) {
            match m.parse::<u64>() {
                Ok(mb) if mb > 0 => limits.memory_mb = mb,
                _ => warn(format!(
                    "环境变量 {MEMORY_VAR} 的值“{m}”不是正整数（MB），仍按 {DEFAULT_MEMORY_MB} MB 限制模板排版内存"
                )),
            }
        }
        limits
    }
}

/// The limits of this process.
pub fn limits() -> &'static Limits {
    static LIMITS: OnceLock<Limits> = OnceLock::new();
    LIMITS.get_or_init(Limits::from_env)
}

/// One watched render.
struct Running {
    id: u64,
    template: String,
    since: Instant,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);
static RUNNING: Mutex<Vec<Running>> = Mutex::new(Vec::new());

type Hook = Box<dyn Fn() + Send + Sync>;
static HOOKS: Mutex<Vec<(u64, Hook)>> = Mutex::new(Vec::new());

/// While alive, the render of `template` is watched; dropping it ends the watch.
#[must_use = "the render is watched only while the guard lives"]
pub struct Watch {
    id: u64,
}

impl Drop for Watch {
    fn drop(&mut self) {
        let mut running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
        running.retain(|r| r.id != self.id);
    }
}

/// Starts watching a render of a workspace template; `template` is how the message names it
/// (quoted, e.g. `“templates/notice.typ”`).
pub fn watch(template: &str) -> Watch {
    start_watchdog();
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    RUNNING.lock().unwrap_or_else(|e| e.into_inner()).push(Running {
        id,
        template: template.to_string(),
        since: Instant::now(),
    });
    Watch { id }
}

/// Registered with [`on_abort`]; dropping it unregisters the hook.
#[must_use = "the hook is unregistered when this is dropped"]
pub struct AbortHook {
    id: u64,
}

impl Drop for AbortHook {
    fn drop(&mut self) {
        let mut hooks = HOOKS.lock().unwrap_or_else(|e| e.into_inner());
        hooks.retain(|(id, _)| *id != self.id);
    }
}

/// Runs `hook` if a limit stops the process while the returned guard lives (e.g. to remove a
/// build's staging folder).
pub fn on_abort(hook: Box<dyn Fn() + Send + Sync>) -> AbortHook {
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    HOOKS.lock().unwrap_or_else(|e| e.into_inner()).push((id, hook));
    AbortHook { id }
}

fn start_watchdog() {
    static STARTED: OnceLock<()> = OnceLock::new();
    STARTED.get_or_init(|| {
        let limits = limits().clone();
        let spawned = std::thread::Builder::new()
            .name("fangpin-template-watchdog".into())
            .spawn(move || watchdog(&limits));
        if spawned.is_err() {
            eprintln!("警告：无法启动模板时限监视线程，工作区模板的排版时间和内存不受限制");
        }
    });
}

/// How often the watchdog looks (a tenth of the time limit, between 20 ms and 250 ms).
fn tick(limits: &Limits) -> Duration {
    (limits.timeout / 10).clamp(Duration::from_millis(20), Duration::from_millis(250))
}

fn watchdog(limits: &Limits) {
    loop {
        std::thread::sleep(tick(limits));
        let (overdue, running) = {
            let running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
            let overdue = running
                .iter()
                .find(|r| r.since.elapsed() > limits.timeout)
                .map(|r| r.template.clone());
            (overdue, running.iter().map(|r| r.template.clone()).collect::<Vec<_>>())
        };
        if let Some(template) = overdue {
            abort(&format!(
                "工作区模板{template}排版超过 {} 秒仍未完成，已停止（模板中可能有死循环或过大的循环）。请修改该模板；确需更长时间时，设置环境变量 {TIMEOUT_VAR}=秒数 后重试",
                seconds(limits.timeout)
            ));
        }
        if running.is_empty() {
            continue;
        }
        if let Some(rss_mb) = resident_mb()
            && rss_mb > limits.memory_mb
        {
            abort(&format!(
                "工作区模板{}排版时内存用量达到 {rss_mb} MB，超过上限 {} MB，已停止（模板中可能生成了过大的数组或文字）。请修改该模板；确需更多内存时，设置环境变量 {MEMORY_VAR}=MB数 后重试",
                running.join("、"),
                limits.memory_mb
            ));
        }
    }
}

fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0}")
    } else {
        format!("{s}")
    }
}

/// Resident memory of this process in MB (Linux `/proc/self/status`; elsewhere unknown).
fn resident_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

/// Called by the binary's allocator for a single request past [`MAX_SINGLE_ALLOCATION`]:
/// prints the message (naming the workspace template being rendered, if any) and ends the
/// process with exit code 1 instead of an abort.
#[cold]
pub fn allocation_refused(size: usize) -> ! {
    // try_lock: this thread may be the one holding the registry.
    let templates: Vec<String> = match RUNNING.try_lock() {
        Ok(running) => running.iter().map(|r| r.template.clone()).collect(),
        Err(_) => Vec::new(),
    };
    let mb = size.div_ceil(1024 * 1024);
    let limit_mb = MAX_SINGLE_ALLOCATION / (1024 * 1024);
    if templates.is_empty() {
        abort(&format!(
            "程序一次申请 {mb} MB 内存，超过上限 {limit_mb} MB，已停止。输入数据或模板中可能有过大的内容；请把 check 的结果和这条消息发给维护人员"
        ));
    }
    abort(&format!(
        "工作区模板{}排版时一次申请 {mb} MB 内存，超过上限 {limit_mb} MB，已停止（模板中可能有过大的 range() 或数组）。请修改该模板",
        templates.join("、")
    ))
}

/// Prints `message`, runs the abort hooks, and ends the process with exit code 1.
pub fn abort(message: &str) -> ! {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "错误：{message}");
    if let Ok(hooks) = HOOKS.try_lock() {
        for (_, hook) in hooks.iter() {
            hook();
        }
    }
    std::process::exit(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_come_from_the_environment_values() {
        let mut warned = Vec::new();
        let l = Limits::parse(None, None, |w| warned.push(w));
        assert_eq!(l.timeout, Duration::from_secs(120));
        assert_eq!(l.memory_mb, DEFAULT_MEMORY_MB);
        let l = Limits::parse(Some("1.5"), Some(" 512 "), |w| warned.push(w));
        assert_eq!((l.timeout, l.memory_mb), (Duration::from_millis(1500), 512));
        assert!(warned.is_empty());
        let l = Limits::parse(Some("-3"), Some("lots"), |w| warned.push(w));
        assert_eq!(l, Limits::parse(None, None, |_| {}));
        assert_eq!(warned.len(), 2);
        assert!(
            warned[0].contains(TIMEOUT_VAR) && warned[1].contains(MEMORY_VAR),
            "{warned:?}"
        );
    }

    #[test]
    fn watches_register_and_end() {
        let count = |name: &str| RUNNING.lock().unwrap().iter().filter(|r| r.template == name).count();
        let a = watch("__test_a.typ");
        let b = watch("__test_a.typ");
        assert_eq!(count("__test_a.typ"), 2);
        drop(a);
        assert_eq!(count("__test_a.typ"), 1);
        drop(b);
        assert_eq!(count("__test_a.typ"), 0);
        let hook = on_abort(Box::new(|| {}));
        let n = HOOKS.lock().unwrap().len();
        drop(hook);
        assert_eq!(HOOKS.lock().unwrap().len(), n - 1);
    }

    #[test]
    fn resident_memory_is_read() {
        if cfg!(target_os = "linux") {
            assert!(resident_mb().is_some_and(|mb| mb < 100_000));
        }
    }
}
