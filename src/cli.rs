//! The command line: argument parsing (clap) and dispatch to the library. Owns exit codes,
//! progress bars, Ctrl-C handling and the messages printed to the terminal; the work itself is
//! in `io`, `store`, `show` and `tui`. Prints no dossier content except where asked (`show`).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use crate::io::export::{ExportFormat, export};
use crate::io::import::{
    IMPORT_CACHE_BYTES, ImportError, ImportOptions, Problem, Stage, import_files,
};
use crate::model::{Dossier, DossierId, PartialDate};
use crate::service::Backend;
use crate::store::crypto::{KeySource, default_key_file, read_key_file, write_key_file};
use crate::store::{Store, StoreOptions};

/// cadre：地方党政领导干部库的键盘式终端工具。不带子命令时打开界面。
#[derive(Parser, Debug)]
#[command(name = "cadre", version, about, long_about = None)]
pub struct Cli {
    /// 数据库目录（默认：用户数据目录下的 db，首次运行时以演示数据初始化）
    #[arg(long, global = true, env = "CADRE_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// 会议模式：隐藏身份证号、家庭成员、监督信息和谈话记录
    #[arg(long, global = true)]
    pub mask: bool,
    /// cadre 服务的套接字（默认 /run/cadre/cadre.sock；存在且未指定 --db 时经服务访问）
    #[arg(long, global = true, env = "CADRE_SOCKET", value_name = "PATH")]
    pub socket: Option<PathBuf>,
    /// 数据库密钥文件（默认：数据库目录旁的“目录名.key”，如 db.key；也可用环境变量 CADRE_PASSPHRASE 给口令）
    #[arg(long, global = true, env = "CADRE_KEY_FILE", value_name = "PATH")]
    pub key_file: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// 导入 JSON Lines（.jsonl）、CSV（.csv，中文表头）、Excel（.xlsx）或任免审批表（.lrmx，可给文件夹）；默认全部成功才写入
    Import {
        /// 要导入的文件或 .lrmx 文件夹
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// 跳过有错误的行，导入其余各行，并把被拒绝的行及原因写入文件
        #[arg(long)]
        skip_invalid: bool,
        /// 被拒绝行的输出文件（默认：第一个输入文件旁的 *.rejected.csv）
        #[arg(long, value_name = "PATH", requires = "skip_invalid")]
        rejects: Option<PathBuf>,
    },
    /// 导出档案（全部，或 --filter 选中的）
    Export {
        /// 格式：jsonl（完整）、csv（Excel 可打开的扁平表）、xlsx（每个维度一张工作表）、lrmx（每人一个任免审批表文件）
        #[arg(long, value_enum)]
        format: ExportArg,
        /// 输出文件（lrmx：输出文件夹）
        #[arg(long, value_name = "PATH")]
        out: PathBuf,
        /// 只导出符合此筛选条件的档案（语法见 docs/filter.md）
        #[arg(long, value_name = "EXPR")]
        filter: Option<String>,
    },
    /// 会议用报表：任免审批表（HTML，A4 打印）、班子结构统计（XLSX）
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// 按姓名、身份证号或档案编号（#123）显示一份档案
    Show {
        /// 姓名、18 位身份证号，或档案编号（如 #12）
        name_or_id: String,
    },
    /// 按姓名、身份证号或档案编号（#123）列出一份档案的修改历史（谁、何时、每个字段的原值和新值）
    History {
        /// 姓名、18 位身份证号，或档案编号（如 #12）
        name_or_id: String,
    },
    /// 检查每条记录能否解码、每个索引是否与记录一致
    Check,
    /// 按筛选条件列出干部（语法见 docs/filter.md），如：cadre query '年龄 < 45 且 曾任(基层, 正职)'
    Query {
        /// 筛选表达式（中文或英文关键字）
        #[arg(required_unless_present = "saved")]
        expr: Option<String>,
        /// 运行已保存的筛选条件
        #[arg(long, value_name = "NAME", conflicts_with = "expr")]
        saved: Option<String>,
        /// 把表达式以此名称保存到数据库
        #[arg(long, value_name = "NAME", requires = "expr")]
        save: Option<String>,
        /// 输出格式
        #[arg(long, value_enum, default_value = "table")]
        format: QueryFormat,
        /// 写入文件（.csv 为 Excel 可打开的 UTF-8 BOM 表，.xlsx 为工作簿）
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
        /// 以此日期计算年龄和年限（默认今天），如 2026-12
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
    },
    /// 领导班子结构：--unit 看一个班子，--kind（可加 --level）并列同类班子
    Stats {
        /// 单位名称（或其中一段）或编号
        #[arg(long, value_name = "UNIT", required_unless_present = "kind")]
        unit: Option<String>,
        /// 单位类型，如 政府、党委、乡镇
        #[arg(long, value_name = "KIND", conflicts_with = "unit")]
        kind: Option<String>,
        /// 单位层级：省级、市级、县级、乡级
        #[arg(long, value_name = "LEVEL", requires = "kind")]
        level: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: ReportFormat,
    },
    /// 干部监督预警：全部规则作用于全库
    Alerts {
        #[arg(long, value_enum, default_value = "table")]
        format: ReportFormat,
        /// 只列此等级及以上：提示、警告、严重
        #[arg(long, value_name = "SEVERITY")]
        severity: Option<String>,
        /// 只列此规则（id 或其开头，如 tenure）
        #[arg(long, value_name = "RULE")]
        rule: Option<String>,
        /// 只列单位名称含此文字的
        #[arg(long, value_name = "UNIT")]
        unit: Option<String>,
    },
    /// 后备干部库：目标层次、成熟度及与任职资格的差距
    Reserve {
        #[arg(long, value_enum, default_value = "table")]
        format: ReportFormat,
    },
    /// 显示生效的规则文件位置与内置默认规则
    Rules {
        /// 打印内置默认规则（可复制其中几条到自己的 rules.toml 修改）
        #[arg(long)]
        default: bool,
    },
    /// 以服务方式运行：独占数据库，在 Unix 套接字上为各用户服务（按角色文件授权，记审计日志）
    Serve {
        /// 角色文件（TOML，见 docs/roles.example.toml）
        #[arg(long, value_name = "FILE")]
        roles: PathBuf,
        /// 允许连接的用户组（套接字目录与套接字归该组所有）
        #[arg(long, value_name = "GROUP")]
        group: Option<String>,
        /// 审计日志目录（默认：数据库目录旁的 “目录名.audit”，如 db.audit）
        #[arg(long, value_name = "DIR")]
        audit: Option<PathBuf>,
    },
    /// 备份数据库：把所有数据（按存储时的原样，含加密内容）写入一个带 SHA-256 校验和的文件，数据库照常可读
    Backup {
        /// 备份文件（只有本人可读写，写完整后才出现）
        file: PathBuf,
    },
    /// 从备份文件恢复数据库：先完整校验（标识、版本、校验和），再写入，并检查恢复结果
    Restore {
        /// cadre backup 写出的备份文件
        file: PathBuf,
        /// 数据库目录不是空的时也恢复：原目录移到“目录名.before-restore-时间”保留，不会删除
        #[arg(long)]
        replace: bool,
    },
    /// 演示数据
    Demo {
        #[command(subcommand)]
        command: DemoCommand,
    },
    /// 审计日志（数据库目录旁的 <数据库>.audit）：列出记录（最新的在最后）、校验哈希链、按保留期清理
    #[command(args_conflicts_with_subcommands = true)]
    Audit {
        #[command(subcommand)]
        command: Option<AuditCommand>,
        #[command(flatten)]
        list: AuditListArgs,
    },
    /// 数据库密钥：生成密钥文件、核对密钥、轮换密钥
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// 校验哈希链：完整时打印记录数并以 0 退出；否则指出第一条有问题的记录（文件、行、序号、原因）并以非 0 退出
    Verify,
    /// 删除日期全部早于 DATE 的整月文件（DATE 至少在 180 天前），写入锚点使其余记录仍可校验
    Prune {
        /// 截止日期（不含），如 2026-05-01；必须不晚于 180 天前
        #[arg(long, value_name = "DATE")]
        before: String,
    },
}

/// Filters of `cadre audit`.
#[derive(clap::Args, Debug, Default)]
pub struct AuditListArgs {
    /// 只列此用户的记录
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// 只列此操作：view、query、edit、create、undo、import、export、report、login、denied、backup、restore、roles、key_rotate、audit_read 等
    #[arg(long, value_name = "ACTION")]
    pub action: Option<String>,
    /// 只列对象中含此文字的记录（如 #123、单位编号、文件路径、查询文字）
    #[arg(long, value_name = "TEXT")]
    pub target: Option<String>,
    /// 从此日期起（含），如 2026-11-01 或 2026-11
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// 到此日期止（含），如 2026-11-30 或 2026-11
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// 只列此结果：ok、denied、failed
    #[arg(long, value_name = "OUTCOME")]
    pub outcome: Option<String>,
    /// 只列符合条件的最新 N 条
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// 以 JSON 数组输出（字段同日志文件）
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand, Debug)]
pub enum KeyCommand {
    /// 生成一个新的随机密钥文件（权限 0600，不覆盖已有文件）
    New {
        /// 密钥文件路径
        path: PathBuf,
    },
    /// 核对密钥能否打开数据库
    Check,
    /// 用新密钥重新加密整个数据库（期间仍可查阅）；完成后旧密钥不再能打开数据库
    Rotate {
        /// 新密钥文件（先用 cadre key new 生成）
        #[arg(long, value_name = "PATH")]
        new_key_file: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum DemoCommand {
    /// 生成一个虚构的省（units.jsonl 与 dossiers.jsonl）
    Generate {
        /// 干部人数
        #[arg(long, default_value_t = 3000)]
        count: usize,
        /// 随机种子（同一种子生成完全相同的数据）
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// 输出目录
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum ReportCommand {
    /// 一个人的干部任免审批表，写成可在 A4 纸上打印的 HTML（浏览器打印，或另存为 PDF）
    Dossier {
        /// 姓名、18 位身份证号，或档案编号（如 #12）
        name_or_id: String,
        /// 输出文件（.html）
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// 一个班子的成员与结构统计（年龄段、学历、性别、民族、政治面貌），写成 XLSX
    Team {
        /// 单位名称（或其中一段）或编号
        unit: String,
        /// 输出文件（.xlsx；默认：当前目录下的“单位名称班子结构.xlsx”）
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// 全部班子的结构统计，按单位类型（或层级）分组，写成 XLSX
    Stats {
        /// 分组：unit-kind（单位类型）或 unit-level（单位层级）
        #[arg(long, value_enum, default_value = "unit-kind")]
        by: StatsBy,
        /// 输出文件（.xlsx；默认：当前目录下的“班子结构统计.xlsx”）
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq)]
pub enum StatsBy {
    UnitKind,
    UnitLevel,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq)]
pub enum QueryFormat {
    Table,
    Csv,
    Jsonl,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq)]
pub enum ReportFormat {
    Table,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum ExportArg {
    Jsonl,
    Csv,
    Xlsx,
    Lrmx,
}

/// Set by Ctrl-C; long operations stop and undo what they did.
static CANCEL: AtomicBool = AtomicBool::new(false);

/// Exit status for input that was refused.
const EXIT_INVALID: u8 = 2;
/// Exit status after Ctrl-C.
const EXIT_INTERRUPTED: u8 = 130;

pub fn main() -> ExitCode {
    // Output piped into `head` ends quietly, as command-line tools do, instead of panicking.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    if let Ok(dir) = data_dir() {
        crate::logging::init(&dir);
    }
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::FAILURE
        }
    }
}

fn install_ctrlc() {
    let _ = ctrlc::set_handler(|| {
        if CANCEL.swap(true, Ordering::SeqCst) {
            // Second Ctrl-C: leave now; the store's journal undoes any bulk write on next open.
            std::process::exit(EXIT_INTERRUPTED as i32);
        }
        eprintln!("\n正在中断，撤销已写入的内容……（再按一次 Ctrl-C 立即退出）");
    });
}

/// The per-user data directory (db and logs live here).
pub fn data_dir() -> Result<PathBuf> {
    directories::ProjectDirs::from("", "", "cadre")
        .map(|p| p.data_dir().to_path_buf())
        .context("无法确定用户数据目录（HOME 未设置？）；请用 --db 指定数据库目录")
}

/// The one dossier a name, ID number or `#id` names; when none or several, says so on stderr
/// (listing the several with their ids) and gives None.
fn pick_person(backend: &Backend, name_or_id: &str) -> Result<Option<DossierId>> {
    let ids = backend.find(name_or_id)?;
    match ids.as_slice() {
        [] => {
            eprintln!("没有找到“{name_or_id}”。");
            Ok(None)
        }
        [id] => Ok(Some(*id)),
        many => {
            eprintln!("“{name_or_id}”有 {} 人，请用档案编号指定：", many.len());
            let units = backend.directory()?;
            for d in backend.dossiers(many.to_vec())? {
                let id = d.id;
                {
                    let post = d
                        .current_posting()
                        .map(|p| format!("{}{}", p.unit_display_name(&units), p.position))
                        .unwrap_or_default();
                    eprintln!(
                        "  #{id}  {} {} {}",
                        d.identity.name,
                        d.identity.birth.dotted(),
                        post
                    );
                }
            }
            Ok(None)
        }
    }
}

/// The database as drafts name it: its directory, made absolute.
fn db_name(cli: &Cli) -> String {
    let path = match &cli.db {
        Some(p) => p.clone(),
        None => data_dir().map(|d| d.join("db")).unwrap_or_default(),
    };
    std::fs::canonicalize(&path)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

/// Where the database's key comes from: `--key-file`/`CADRE_KEY_FILE`, else
/// `CADRE_PASSPHRASE`, else the key file beside the database.
fn store_options(cli: &Cli) -> StoreOptions {
    StoreOptions {
        key: KeySource::from_env(cli.key_file.clone()),
        ..StoreOptions::default()
    }
}

/// How `cadre import` opens the store: with the import's small cache.
fn import_options(cli: &Cli) -> StoreOptions {
    StoreOptions {
        cache_bytes: IMPORT_CACHE_BYTES,
        ..store_options(cli)
    }
}

fn open_store(cli: &Cli) -> Result<Store> {
    open_store_with(cli, store_options(cli))
}

fn open_store_with(cli: &Cli, opts: StoreOptions) -> Result<Store> {
    if cli.db.is_none()
        && let Some(socket) = service_socket(cli)
        && !matches!(cli.command, Some(Command::Serve { .. }))
    {
        bail!(
            "cadre 服务正在 {} 上运行并独占数据库：此命令只能在服务停止后由服务用户直接运行（或用 --db 指定另一个数据库）",
            socket.display()
        );
    }
    match &cli.db {
        Some(path) => Store::open_with(path, &opts)
            .with_context(|| format!("无法打开数据库 {}", path.display())),
        None => {
            let path = data_dir()?.join("db");
            let fresh = !path.exists();
            std::fs::create_dir_all(&path)
                .with_context(|| format!("无法创建数据库目录 {}", path.display()))?;
            restrict_dir(&path);
            let store = Store::open_with(&path, &opts)
                .with_context(|| format!("无法打开数据库 {}", path.display()))?;
            if fresh || store.is_empty()? {
                crate::seed::seed_demo(&store).context("无法以演示数据初始化默认数据库")?;
            }
            Ok(store)
        }
    }
}

/// A directory and everything in it readable by its owner only (0700 directories, 0600
/// files): what the service does to its database before serving.
fn restrict_tree(dir: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(dir).with_context(|| format!("无法读取 {}", dir.display()))?;
    let mode = if meta.is_dir() { 0o700 } else { 0o600 };
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("无法设置 {} 的权限", dir.display()))?;
    if meta.is_dir() {
        for entry in
            std::fs::read_dir(dir).with_context(|| format!("无法读取 {}", dir.display()))?
        {
            restrict_tree(&entry?.path())?;
        }
    }
    Ok(())
}

/// The database directory is the owner's alone.
fn restrict_dir(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700));
    }
}

fn progress_bar(label: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{prefix} {spinner} {pos} 条 {elapsed}").expect("template"),
    );
    bar.set_prefix(label.to_string());
    bar
}

fn set_total(bar: &ProgressBar, label: &str, total: u64) {
    if bar.length() != Some(total) {
        bar.set_length(total);
        bar.set_style(
            ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} 条 {eta}")
                .expect("template")
                .progress_chars("=> "),
        );
        bar.set_prefix(label.to_string());
    }
}

/// The socket of a running service, when `cadre` should go through it: no database named and
/// the socket present.
fn service_socket(cli: &Cli) -> Option<PathBuf> {
    if cli.db.is_some() {
        return None;
    }
    let path = cli
        .socket
        .clone()
        .unwrap_or_else(crate::service::socket_path);
    // A socket that cannot even be looked at (a directory the user's groups cannot enter) is
    // still the service's: connecting then says why, instead of quietly opening a database of
    // one's own.
    match path.try_exists() {
        Ok(false) => None,
        Ok(true) | Err(_) => Some(path),
    }
}

/// Sends one administrative request to the service and prints its answer.
fn service_says(socket: &Path, req: crate::service::protocol::Request) -> Result<ExitCode> {
    match Backend::connect(socket)?.call(req)? {
        crate::service::protocol::Response::Text(t) => {
            println!("{t}");
            Ok(ExitCode::SUCCESS)
        }
        crate::service::protocol::Response::Failed(f) => {
            Err(crate::service::ServiceError::from(f).into())
        }
        _ => bail!("cadre 服务的回答与请求不符"),
    }
}

/// What the interface and the per-person commands talk to: the service when it runs (and no
/// database is named), else the embedded database with every right.
fn open_backend(cli: &Cli) -> Result<Backend> {
    if let Some(socket) = service_socket(cli) {
        return Ok(Backend::connect(&socket)?);
    }
    let store = open_store(cli)?;
    let (rules, error) = load_rules();
    if let Some(e) = error {
        eprintln!("规则文件有误，已使用内置默认规则：{e}");
    }
    Ok(Backend::unaudited(store, std::sync::Arc::new(rules)))
}

fn run(cli: Cli) -> Result<ExitCode> {
    match &cli.command {
        None => {
            let backend = open_backend(&cli)?;
            crate::tui::run(
                backend,
                crate::tui::TuiOptions {
                    mask: cli.mask,
                    config_dir: None,
                    drafts: data_dir().ok().map(|d| d.join("drafts")),
                    db: db_name(&cli),
                },
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Import {
            files,
            skip_invalid,
            rejects,
        }) => {
            install_ctrlc();
            let store = open_store_with(&cli, import_options(&cli))?;
            let bar = progress_bar("检查");
            let mut progress = |stage: Stage, n: u64| {
                if let Stage::Writing { total } = stage {
                    set_total(&bar, "写入", total);
                }
                bar.set_position(n);
            };
            let opts = ImportOptions {
                skip_invalid: *skip_invalid,
                facts: true,
            };
            let result = import_files(&store, files, &opts, &mut progress, &CANCEL);
            bar.finish_and_clear();
            match result {
                Ok(mut report) => {
                    // The next start reads the compact facts from one file: those the import
                    // built while writing, else rebuilt from every dossier.
                    let started = std::time::Instant::now();
                    let saved = match report.facts.take() {
                        Some(facts) => crate::facts::snapshot::save_given(&store, facts),
                        None => crate::facts::snapshot::refresh(&store).map(drop),
                    };
                    match saved {
                        Ok(()) => tracing::info!(
                            "import: facts snapshot written in {:.1} s (peak resident {} MiB)",
                            started.elapsed().as_secs_f64(),
                            crate::memory::peak_resident_mib()
                        ),
                        Err(e) => tracing::warn!("could not write the facts snapshot: {e}"),
                    }
                    // sled writes the snapshot of its page table when it opens: a database
                    // not reopened since the import would have its whole log read by the
                    // next start (at a million dossiers, `cadre show` took 1.1–1.6 s instead
                    // of 0.5–0.6 s; the reopening here 0.7 s).
                    drop(store);
                    if report.dossiers + report.units + report.updated > 0 {
                        let started = std::time::Instant::now();
                        match open_store_with(&cli, import_options(&cli)) {
                            Ok(reopened) => {
                                drop(reopened);
                                tracing::info!(
                                    "import: reopened in {:.1} s (peak resident {} MiB)",
                                    started.elapsed().as_secs_f64(),
                                    crate::memory::peak_resident_mib()
                                );
                            }
                            Err(e) => tracing::warn!("could not reopen after the import: {e}"),
                        }
                    }
                    for n in &report.notices {
                        eprintln!("注意：{n}");
                    }
                    println!(
                        "已导入 {} 份档案、{} 个单位。",
                        report.dossiers, report.units
                    );
                    if report.updated + report.unchanged > 0 {
                        println!(
                            "按身份证号更新了 {} 份已有档案（另有 {} 份内容相同，未改动）。",
                            report.updated, report.unchanged
                        );
                    }
                    if !report.rejected.is_empty() {
                        // Beside the first file that had rejections (readable by the owner only).
                        let path = rejects.clone().unwrap_or_else(|| {
                            report.rejected[0].file.with_extension("rejected.csv")
                        });
                        write_rejects(&path, &report.rejected)?;
                        eprintln!(
                            "跳过 {} 处错误，被拒绝的行及原因已写入 {}",
                            report.rejected.len(),
                            path.display()
                        );
                        for p in report.rejected.iter().take(20) {
                            eprintln!("  {p}");
                        }
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(ImportError::Invalid(problems)) => {
                    for p in &problems {
                        eprintln!("{p}");
                    }
                    eprintln!(
                        "导入未进行：共 {} 处错误，数据库未作任何修改。修正后重试，或用 --skip-invalid 只导入正确的行。",
                        problems.len()
                    );
                    Ok(ExitCode::from(EXIT_INVALID))
                }
                Err(ImportError::Interrupted) => {
                    eprintln!("{}", ImportError::Interrupted);
                    Ok(ExitCode::from(EXIT_INTERRUPTED))
                }
                Err(e) => Err(e.into()),
            }
        }
        Some(Command::Export {
            format,
            out,
            filter,
        }) => {
            install_ctrlc();
            let store = open_store(&cli)?;
            let selector = match filter {
                Some(text) => match crate::filter::parse(text) {
                    Ok(e) => Some((e, store.directory()?)),
                    Err(e) => {
                        print_filter_error(text, &e);
                        return Ok(ExitCode::from(EXIT_INVALID));
                    }
                },
                None => None,
            };
            let today = PartialDate::today();
            let select = |d: &Dossier| match &selector {
                Some((expr, units)) => expr.matches(d, &crate::filter::Ctx { today, units }),
                None => true,
            };
            let bar = progress_bar("导出");
            let total = store.dossier_count() as u64;
            set_total(&bar, "导出", total);
            let mut progress = |n| bar.set_position(n);
            let result = match format {
                ExportArg::Jsonl | ExportArg::Csv => export(
                    &store,
                    if matches!(format, ExportArg::Jsonl) {
                        ExportFormat::JsonLines
                    } else {
                        ExportFormat::Csv
                    },
                    out,
                    &select,
                    &mut progress,
                    &CANCEL,
                ),
                ExportArg::Xlsx => {
                    crate::io::export::export_xlsx(&store, out, &select, &mut progress, &CANCEL)
                }
                ExportArg::Lrmx => {
                    crate::io::export::export_lrmx(&store, out, &select, &mut progress, &CANCEL)
                }
            };
            bar.finish_and_clear();
            match result {
                Ok(n) => {
                    println!("已导出 {n} 份档案到 {}", out.display());
                    Ok(ExitCode::SUCCESS)
                }
                Err(crate::io::export::ExportError::Interrupted) => {
                    eprintln!("{}", crate::io::export::ExportError::Interrupted);
                    Ok(ExitCode::from(EXIT_INTERRUPTED))
                }
                Err(e) => Err(e.into()),
            }
        }
        Some(Command::Show { name_or_id }) => {
            let backend = open_backend(&cli)?;
            let Some(id) = pick_person(&backend, name_or_id)? else {
                return Ok(ExitCode::FAILURE);
            };
            let d = backend.dossier(id)?.context("档案已不存在")?;
            let units = backend.directory()?;
            let veil = crate::show::Veil {
                mask: cli.mask,
                ..backend.welcome().withheld
            };
            print!(
                "{}",
                crate::show::dossier_text_veiled(&d, &units, &PartialDate::today(), &veil)
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::History { name_or_id }) => {
            let backend = open_backend(&cli)?;
            let Some(id) = pick_person(&backend, name_or_id)? else {
                return Ok(ExitCode::FAILURE);
            };
            let d = backend.dossier(id)?.context("档案已不存在")?;
            let entries = backend.history(id)?;
            println!(
                "#{id} {} {}：{} 次修改记录",
                d.identity.name,
                d.identity.birth.dotted(),
                entries.len()
            );
            for line in crate::history::render(&entries) {
                println!("{line}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Report { command }) => run_report(&cli, command),
        Some(Command::Backup { file }) => {
            // While serving: the service writes it (as its own user, to a path it may write).
            if let Some(socket) = service_socket(&cli) {
                let path = std::path::absolute(file)
                    .with_context(|| format!("无法解析路径 {}", file.display()))?;
                let req = crate::service::protocol::Request::Backup(path.display().to_string());
                return service_says(&socket, req);
            }
            let store = open_store(&cli)?;
            let summary = store
                .backup(file)
                .with_context(|| format!("备份到 {} 失败", file.display()))?;
            println!("{}", crate::service::session::backup_text(&summary));
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Restore { file, replace }) => {
            let dir = match &cli.db {
                Some(p) => p.clone(),
                None => data_dir()?.join("db"),
            };
            let summary = Store::restore(
                file,
                &dir,
                crate::store::backup::RestoreOptions {
                    replace: *replace,
                    key: store_options(&cli).key,
                },
            )?;
            if let Some(aside) = &summary.moved_aside {
                println!("原数据库已移到 {}", aside.display());
            }
            println!(
                "已从 {} 恢复 {} 份档案（{} 棵树、{} 条记录）到 {}，检查未发现问题。",
                file.display(),
                summary.dossiers,
                summary.trees,
                summary.entries,
                summary.dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Check) => {
            let store = open_store(&cli)?;
            let report = store.check()?;
            println!(
                "检查了 {} 份档案、{} 个单位、{} 个索引项。",
                report.dossiers, report.units, report.index_entries
            );
            if report.issues.is_empty() {
                println!("未发现问题。");
                Ok(ExitCode::SUCCESS)
            } else {
                for i in &report.issues {
                    println!("[{}] {}：{}", i.tree, i.key, i.problem);
                }
                println!("发现 {} 处问题。", report.issues.len());
                Ok(ExitCode::FAILURE)
            }
        }
        Some(Command::Query {
            expr,
            saved,
            save,
            format,
            out,
            as_of,
        }) => {
            let backend = open_backend(&cli)?;
            let text = match (expr, saved) {
                (Some(e), _) => e.clone(),
                (None, Some(name)) => backend.saved_filter(name)?.text,
                (None, None) => bail!("请给出筛选表达式或 --saved 名称"),
            };
            let parsed = match crate::filter::parse(&text) {
                Ok(e) => e,
                Err(e) => {
                    print_filter_error(&text, &e);
                    return Ok(ExitCode::from(EXIT_INVALID));
                }
            };
            let today = match as_of {
                Some(d) => d
                    .parse::<PartialDate>()
                    .map_err(|e| anyhow::anyhow!("--as-of：{e}"))?,
                None => PartialDate::today(),
            };
            drop(parsed);
            if let Some(name) = save {
                backend.save_filter(name, &text)?;
                eprintln!("已保存筛选条件“{name}”。");
            }
            // Over the compact facts (the snapshot when it holds), as the filter pane runs it;
            // the rows come from the facts this user may see.
            let ids = backend.query(&text, today)?;
            let (facts, _) = backend.facts()?;
            let rows: Vec<crate::io::results::ResultRow> = ids
                .iter()
                .filter_map(|id| facts.position(*id))
                .map(|i| facts.row(i, &today))
                .collect();
            if let Some(path) = out {
                let ext = path
                    .extension()
                    .and_then(|e| e.to_str())
                    .unwrap_or("")
                    .to_ascii_lowercase();
                match ext.as_str() {
                    "xlsx" => crate::io::results::write_xlsx(&rows, &text, path)?,
                    "csv" => crate::io::results::write_csv(&rows, path)?,
                    _ => bail!("--out 的扩展名应为 .csv 或 .xlsx：{}", path.display()),
                }
                backend.note(
                    crate::audit::Action::Export,
                    &format!("{}（{} 人）", path.display(), rows.len()),
                )?;
                println!("{} 人，已写入 {}", rows.len(), path.display());
                return Ok(ExitCode::SUCCESS);
            }
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            match format {
                QueryFormat::Table => {
                    write!(stdout, "{}", crate::io::results::table(&rows))?;
                    writeln!(stdout, "共 {} 人", rows.len())?;
                }
                QueryFormat::Csv => stdout.write_all(&crate::io::results::csv_bytes(&rows)?)?,
                QueryFormat::Jsonl => stdout.write_all(&crate::io::results::jsonl_bytes(&rows))?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Stats {
            unit,
            kind,
            level,
            format,
        }) => {
            let store = open_store(&cli)?;
            let (rules, _) = load_rules();
            let (dossiers, units) = load_all(&store)?;
            let ctx = crate::filter::Ctx {
                today: PartialDate::today(),
                units: &units,
            };
            let index = crate::team::TeamIndex::build(&dossiers);
            let profile_of = |u: &crate::model::Unit| {
                crate::team::profile(
                    u,
                    crate::team::members(u.id, &index, &dossiers, &ctx),
                    &rules,
                )
            };
            if let Some(q) = unit {
                let u = resolve_unit(&units, q, &index)?;
                let p = profile_of(u);
                match format {
                    ReportFormat::Table => print!("{}", crate::render::team_text(&p)),
                    ReportFormat::Json => println!(
                        "{}",
                        serde_json::to_string_pretty(&crate::render::team_json(&p))?
                    ),
                }
                return Ok(ExitCode::SUCCESS);
            }
            let kind_text = kind.as_deref().unwrap_or("");
            let k = crate::model::UnitKind::parse(kind_text)
                .with_context(|| format!("未知的单位类型“{kind_text}”"))?;
            let lv =
                match level {
                    Some(l) => Some(crate::model::UnitLevel::parse(l).with_context(|| {
                        format!("未知的单位层级“{l}”（省级、市级、县级、乡级）")
                    })?),
                    None => None,
                };
            let mut list: Vec<&crate::model::Unit> = units
                .iter()
                .filter(|u| u.kind == k && lv.is_none_or(|l| u.level == l))
                .collect();
            list.sort_by_key(|u| u.id);
            let profiles: Vec<crate::team::TeamProfile> =
                list.into_iter().map(profile_of).collect();
            print_report(
                *format,
                &profiles,
                crate::render::region_text,
                crate::render::team_json,
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Alerts {
            format,
            severity,
            rule,
            unit,
        }) => {
            let backend = open_backend(&cli)?;
            let min = match severity {
                Some(s) => Some(
                    crate::rules::Severity::parse(s)
                        .with_context(|| format!("未知的等级“{s}”（提示、警告、严重）"))?,
                ),
                None => None,
            };
            // As the alerts pane: through the facts, reading only the dossiers concerned.
            let (alerts, _) = backend.derive(PartialDate::today(), true, false)?;
            let all: Vec<crate::alerts::Alert> = alerts
                .into_iter()
                .filter(|a| min.is_none_or(|m| a.severity >= m))
                .filter(|a| {
                    rule.as_ref()
                        .is_none_or(|r| a.rule_id.starts_with(r.as_str()))
                })
                .filter(|a| {
                    unit.as_ref()
                        .is_none_or(|u| a.unit_name.contains(u.as_str()))
                })
                .collect();
            print_report(
                *format,
                &all,
                crate::render::alerts_text,
                crate::render::alert_json,
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Reserve { format }) => {
            let backend = open_backend(&cli)?;
            let (_, pool) = backend.derive(PartialDate::today(), false, true)?;
            print_report(
                *format,
                &pool,
                crate::render::reserve_text,
                crate::render::reserve_json,
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Rules { default }) => {
            if *default {
                print!("{}", crate::rules::DEFAULT_RULES);
                return Ok(ExitCode::SUCCESS);
            }
            let path = rules_path();
            match &path {
                Some(p) if p.exists() => println!(
                    "用户规则文件：{}（覆盖内置默认规则中同 id 的规则）",
                    p.display()
                ),
                Some(p) => println!(
                    "用户规则文件：{}（尚未创建；当前使用内置默认规则）",
                    p.display()
                ),
                None => println!("无法确定配置目录；当前使用内置默认规则"),
            }
            let (rules, err) = load_rules();
            if let Some(e) = err {
                println!("规则文件有误，已使用内置默认规则：{e}");
            }
            for r in &rules.team {
                println!(
                    "[班子] {} [{}] {}（{}）",
                    r.id,
                    r.severity.label(),
                    r.text,
                    r.source
                );
            }
            for r in &rules.supervision {
                println!(
                    "[监督] {} [{}] {}（{}）",
                    r.id,
                    r.severity.label(),
                    r.text,
                    r.source
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Serve {
            roles,
            group,
            audit,
        }) => {
            // Everything the service creates (database files, audit, socket) is its own.
            // SAFETY: umask only changes this process's file-creation mask.
            unsafe {
                libc::umask(0o077);
            }
            let roles = crate::roles::Roles::load(roles)?;
            let store = open_store(&cli)?;
            if let Some(dir) = store.dir() {
                restrict_tree(dir)?;
            }
            let audit_dir = match audit {
                Some(d) => d.clone(),
                None => audit_dir(&cli)?,
            };
            let audit = crate::audit::Audit::open(&audit_dir)?;
            let (rules, error) = load_rules();
            if let Some(e) = error {
                eprintln!("{e}");
            }
            let default_key = match store_options(&cli).key {
                KeySource::DefaultFile => store.dir().map(default_key_file),
                _ => None,
            };
            let shared = crate::service::session::Shared::new(
                store,
                Some(roles),
                Some(audit),
                std::sync::Arc::new(rules),
            );
            if let Some(file) = default_key {
                shared.replace_key_file_on_rotation(file);
            }
            let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            for sig in [
                signal_hook::consts::SIGTERM,
                signal_hook::consts::SIGINT,
                signal_hook::consts::SIGHUP,
            ] {
                signal_hook::flag::register(sig, stop.clone()).context("无法登记终止信号")?;
            }
            let opts = crate::service::server::ServeOptions {
                socket: cli
                    .socket
                    .clone()
                    .unwrap_or_else(crate::service::socket_path),
                group: group.clone(),
            };
            eprintln!(
                "cadre 服务在 {} 上运行（Ctrl-C 或 SIGTERM 停止）",
                opts.socket.display()
            );
            crate::service::server::serve(shared, &opts, stop)?;
            eprintln!("cadre 服务已停止，数据已写回。");
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Key { command }) => run_key(&cli, command),
        Some(Command::Demo {
            command: DemoCommand::Generate { count, seed, out },
        }) => {
            if *count == 0 {
                bail!("--count 至少为 1");
            }
            std::fs::create_dir_all(out)
                .with_context(|| format!("无法创建目录 {}", out.display()))?;
            let bar = progress_bar("生成");
            set_total(&bar, "生成", *count as u64);
            let summary = crate::demo::write_dir(
                &crate::demo::DemoOptions {
                    count: *count,
                    seed: *seed,
                },
                out,
                &|n| bar.set_position(n),
            )
            .with_context(|| format!("无法写入 {}", out.display()))?;
            bar.finish_and_clear();
            println!(
                "已生成 {} 个单位、{} 份档案，写入 {}",
                summary.units,
                summary.dossiers,
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Audit { command, list }) => run_audit(&cli, command.as_ref(), list),
    }
}

/// The audit directory of the database `--db` names (or the default one); the database itself
/// is not opened, so this works beside a running service.
fn audit_dir(cli: &Cli) -> Result<PathBuf> {
    let db = match &cli.db {
        Some(p) => p.clone(),
        None => data_dir()?.join("db"),
    };
    Ok(crate::audit::audit_dir_for(&db))
}

/// A day for `--since`/`--until`/`--before`: `2026-11-05`, or a month `2026-11` (its first day,
/// or its last with `end`).
fn parse_audit_day(flag: &str, text: &str, end: bool) -> Result<jiff::civil::Date> {
    let t = text.trim().replace(['.', '/'], "-");
    if let Ok(d) = t.parse::<jiff::civil::Date>() {
        return Ok(d);
    }
    if let Ok(d) = format!("{t}-01").parse::<jiff::civil::Date>() {
        return Ok(if end { d.last_of_month() } else { d });
    }
    bail!("{flag}：“{text}”不是日期，请写成 2026-11-05 或 2026-11")
}

/// `cadre audit`, `cadre audit verify`, `cadre audit prune --before DATE`.
fn run_audit(cli: &Cli, command: Option<&AuditCommand>, args: &AuditListArgs) -> Result<ExitCode> {
    let dir = audit_dir(cli)?;
    match command {
        Some(AuditCommand::Verify) if service_socket(cli).is_some() && !dir.exists() => {
            let socket = service_socket(cli).expect("checked");
            service_says(&socket, crate::service::protocol::Request::AuditVerify)
        }
        Some(AuditCommand::Verify) => {
            let report = crate::audit::verify(&dir);
            if report.is_intact() {
                println!("{report}");
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!("{report}");
                Ok(ExitCode::FAILURE)
            }
        }
        Some(AuditCommand::Prune { before }) => {
            let before = parse_audit_day("--before", before, false)?;
            let audit = crate::audit::Audit::open(&dir)?;
            if let Some(r) = audit.recovery() {
                eprintln!("注意：{r}");
            }
            match audit.prune(before, &crate::user::current_user()) {
                Ok(report) if report.removed.is_empty() => {
                    println!(
                        "没有可清理的文件：早于 {before} 的记录不构成完整的月份文件（当月文件不清理）。"
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Ok(report) => {
                    let names: Vec<String> = report
                        .removed
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect();
                    println!(
                        "已删除 {} 个文件、{} 条记录：{}",
                        names.len(),
                        report.entries,
                        names.join("、")
                    );
                    if let Some(a) = &report.anchor {
                        println!(
                            "锚点：序号 {}，哈希 {}（已写入 anchor.json，并记录一条 audit_prune）",
                            a.seq, a.hash
                        );
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(e @ crate::audit::AuditError::Retention { .. }) => {
                    eprintln!("错误：{e}");
                    Ok(ExitCode::from(EXIT_INVALID))
                }
                Err(e) => Err(e.into()),
            }
        }
        None => {
            let filter = crate::audit::Filter {
                user: args.user.clone(),
                action: match &args.action {
                    Some(a) => Some(
                        a.parse()
                            .map_err(|e: String| anyhow::anyhow!("--action：{e}"))?,
                    ),
                    None => None,
                },
                target: args.target.clone(),
                since: match &args.since {
                    Some(d) => Some(parse_audit_day("--since", d, false)?),
                    None => None,
                },
                until: match &args.until {
                    Some(d) => Some(parse_audit_day("--until", d, true)?),
                    None => None,
                },
                outcome: match &args.outcome {
                    Some(o) => Some(
                        o.parse()
                            .map_err(|e: String| anyhow::anyhow!("--outcome：{e}"))?,
                    ),
                    None => None,
                },
                limit: args.limit,
            };
            // Through the service when it runs (an administrator need not be its user).
            let listing = match service_socket(cli) {
                Some(socket) => {
                    let entries = Backend::connect(&socket)?.audit_entries(filter)?;
                    crate::audit::Listing {
                        matched: entries.len() as u64,
                        entries,
                        unreadable: 0,
                    }
                }
                None => crate::audit::entries(&dir, &filter)?,
            };
            if args.json {
                println!("{}", serde_json::to_string_pretty(&listing.entries)?);
            } else if listing.entries.is_empty() {
                println!("没有符合条件的审计记录（{}）。", dir.display());
            } else {
                print!("{}", audit_table(&listing.entries));
                if listing.matched > listing.entries.len() as u64 {
                    println!(
                        "共 {} 条符合条件，显示最新的 {} 条",
                        listing.matched,
                        listing.entries.len()
                    );
                } else {
                    println!("共 {} 条", listing.matched);
                }
            }
            if listing.unreadable > 0 {
                eprintln!(
                    "注意：{} 行无法读取，未列出；请运行 cadre audit verify 查看位置和原因。",
                    listing.unreadable
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `cadre key …`: a new key file, a check of the key, a rotation.
fn run_key(cli: &Cli, command: &KeyCommand) -> Result<ExitCode> {
    match command {
        KeyCommand::New { path } => {
            crate::store::crypto::write_new_key_file(path)?;
            println!(
                "已生成密钥文件 {}（权限 0600）。请妥善保管：丢失密钥即无法打开数据库。",
                path.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        KeyCommand::Check => {
            // Opening verifies the key check; a wrong key is refused there.
            let store = open_store(cli)?;
            println!(
                "密钥与数据库 {} 相符（密钥编号 {:08x}）。",
                db_name(cli),
                store.key_id()
            );
            Ok(ExitCode::SUCCESS)
        }
        KeyCommand::Rotate { new_key_file } if service_socket(cli).is_some() => {
            // The service re-seals while it serves: it must be able to read the new key file.
            let socket = service_socket(cli).expect("checked");
            let path = std::path::absolute(new_key_file)
                .with_context(|| format!("无法解析路径 {}", new_key_file.display()))?;
            let req = crate::service::protocol::Request::RotateKey(path.display().to_string());
            service_says(&socket, req)
        }
        KeyCommand::Rotate { new_key_file } => {
            let new_key = read_key_file(new_key_file)?;
            let store = open_store(cli)?;
            let db = db_name(cli);
            eprintln!("正在用 {} 重新加密数据库 {db}……", new_key_file.display());
            let report = store
                .rotate_key(&KeySource::Key(new_key.clone()))
                .with_context(|| format!("数据库 {db} 的密钥轮换未完成（下次打开时继续）"))?;
            store.flush()?;
            println!(
                "已重新加密 {} 条记录、重建 {} 个索引项，新密钥编号 {:08x}。",
                report.resealed, report.index_entries, report.key_id
            );
            if report.unreadable > 0 {
                println!(
                    "有 {} 条记录原本就无法解密，保持原样（请运行 cadre check）。",
                    report.unreadable
                );
            }
            match store_options(cli).key {
                KeySource::DefaultFile => {
                    let file = default_key_file(Path::new(&db));
                    write_key_file(&file, &new_key, true).with_context(|| {
                        format!(
                            "数据库已换用新密钥，但未能写入 {}：今后请用 --key-file {} 打开",
                            file.display(),
                            new_key_file.display()
                        )
                    })?;
                    println!(
                        "默认密钥文件 {} 已换成新密钥；旧密钥不再能打开数据库。",
                        file.display()
                    );
                }
                _ => println!(
                    "今后请用 --key-file {}（或 CADRE_KEY_FILE）打开数据库；旧密钥不再能打开它。",
                    new_key_file.display()
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Text from the trail with control characters (line breaks, terminal escapes) made spaces.
fn plain(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Audit entries as an aligned table (display width, for Han characters).
fn audit_table(entries: &[crate::audit::Entry]) -> String {
    use unicode_width::UnicodeWidthStr;
    let header = ["序号", "时间", "用户", "操作", "结果", "对象", "原因"].map(String::from);
    let rows: Vec<[String; 7]> = entries
        .iter()
        .map(|e| {
            [
                e.seq.to_string(),
                e.time.get(..19).unwrap_or(&e.time).replace('T', " "),
                plain(&e.user),
                e.action.label().to_string(),
                e.outcome.label().to_string(),
                plain(&e.target),
                plain(e.reason.as_deref().unwrap_or("")),
            ]
        })
        .collect();
    let mut widths = header.clone().map(|h| h.width());
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.width());
        }
    }
    let line = |r: &[String; 7]| {
        let mut s = String::new();
        for (i, (c, w)) in r.iter().zip(&widths).enumerate() {
            s.push_str(c);
            if i + 1 < r.len() {
                s.push_str(&" ".repeat(w - c.width() + 2));
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(&header);
    for r in &rows {
        out.push_str(&line(r));
    }
    out
}

/// A wrong filter expression with a caret under the place and what was expected there.
fn print_filter_error(text: &str, e: &crate::filter::ParseError) {
    eprintln!("{text}");
    let pad: String = text.chars().take(e.pos).collect();
    eprintln!(
        "{}^",
        " ".repeat(unicode_width::UnicodeWidthStr::width(pad.as_str()))
    );
    eprintln!("筛选条件有误：{e}");
}

/// `cadre report …`: the approval form of one person, or team statistics as a workbook.
fn run_report(cli: &Cli, command: &ReportCommand) -> Result<ExitCode> {
    let store = open_store(cli)?;
    let today = PartialDate::today();
    match command {
        ReportCommand::Dossier { name_or_id, out } => {
            let ext = out
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            if ext != "html" && ext != "htm" {
                bail!(
                    "--out 的扩展名应为 .html（在浏览器中打印，或打印为 PDF）：{}",
                    out.display()
                );
            }
            let ids = resolve_person(&store, name_or_id)?;
            let id = match ids.as_slice() {
                [id] => *id,
                [] => {
                    eprintln!("没有找到“{name_or_id}”。");
                    return Ok(ExitCode::FAILURE);
                }
                many => {
                    eprintln!(
                        "“{name_or_id}”有 {} 人，请用档案编号（#编号）或身份证号指定。",
                        many.len()
                    );
                    return Ok(ExitCode::FAILURE);
                }
            };
            let d = store.dossier(id)?.context("档案已不存在")?;
            let units = store.directory()?;
            let html = crate::report::dossier_form_html(&d, &units, &today, cli.mask);
            crate::report::write_file(html.as_bytes(), out)?;
            println!("任免审批表已写入 {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
        ReportCommand::Team { unit, out } => {
            let (rules, _) = load_rules();
            let (dossiers, units) = load_all(&store)?;
            let ctx = crate::filter::Ctx {
                today,
                units: &units,
            };
            let index = crate::team::TeamIndex::build(&dossiers);
            let u = resolve_unit(&units, unit, &index)?;
            let p = crate::team::profile(
                u,
                crate::team::members(u.id, &index, &dossiers, &ctx),
                &rules,
            );
            let out = out
                .clone()
                .unwrap_or_else(|| PathBuf::from(format!("{}班子结构.xlsx", u.name)));
            crate::report::write_workbook(&crate::report::team_sheets(&p), &out)?;
            println!(
                "{}班子 {} 人的结构统计已写入 {}",
                u.name,
                p.members.len(),
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        ReportCommand::Stats { by, out } => {
            let (rules, _) = load_rules();
            let (dossiers, units) = load_all(&store)?;
            let (by, header) = match by {
                StatsBy::UnitKind => (
                    crate::report::GroupBy::UnitKind,
                    crate::report::BY_KIND_HEADER,
                ),
                StatsBy::UnitLevel => (
                    crate::report::GroupBy::UnitLevel,
                    crate::report::BY_LEVEL_HEADER,
                ),
            };
            let groups = crate::report::group_tallies(&dossiers, &units, &rules, today, by);
            let out = out
                .clone()
                .unwrap_or_else(|| PathBuf::from("班子结构统计.xlsx"));
            crate::report::write_workbook(&crate::report::stats_sheets(header, &groups), &out)?;
            let teams: u32 = groups.iter().map(|(_, t)| t.teams).sum();
            println!("{teams} 个班子的结构统计已写入 {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A list as an aligned table, or as a JSON array of its items.
fn print_report<T>(
    format: ReportFormat,
    items: &[T],
    text: fn(&[T]) -> String,
    json: fn(&T) -> serde_json::Value,
) -> Result<()> {
    match format {
        ReportFormat::Table => print!("{}", text(items)),
        ReportFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&items.iter().map(json).collect::<Vec<_>>())?
        ),
    }
    Ok(())
}

/// Every dossier and the unit directory, for whole-database work (stats, alerts, reserve).
fn load_all(store: &Store) -> Result<(Vec<Dossier>, crate::model::UnitDirectory)> {
    let dossiers = store.dossiers().collect::<Result<Vec<_>, _>>()?;
    Ok((dossiers, store.directory()?))
}

/// The user's rules file in the configuration directory.
fn rules_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "cadre").map(|p| p.config_dir().join("rules.toml"))
}

fn load_rules() -> (crate::rules::Rules, Option<crate::rules::RulesError>) {
    crate::rules::Rules::load(rules_path().as_deref())
}

/// A unit by id, exact name, or a unique part of its name among units with a team.
fn resolve_unit<'a>(
    units: &'a crate::model::UnitDirectory,
    q: &str,
    index: &crate::team::TeamIndex,
) -> Result<&'a crate::model::Unit> {
    let q = q.trim();
    if let Ok(id) = q.parse::<u32>()
        && let Some(u) = units.get(id)
    {
        return Ok(u);
    }
    if let Some(u) = units.by_name(q) {
        return Ok(u);
    }
    let mut found: Vec<&crate::model::Unit> = units
        .iter()
        .filter(|u| u.has_team() && u.name.contains(q) && !index.seats(u.id).is_empty())
        .collect();
    found.sort_by_key(|u| u.id);
    match found.as_slice() {
        [] => bail!("没有名称含“{q}”的单位"),
        [u] => Ok(u),
        many => {
            let names: Vec<String> = many
                .iter()
                .take(12)
                .map(|u| format!("{}（{}）", u.name, u.id))
                .collect();
            bail!(
                "“{q}”对应 {} 个单位，请写全名或编号：{}",
                many.len(),
                names.join("、")
            )
        }
    }
}

/// Dossier ids for a name, an ID number or `#id`.
fn resolve_person(store: &Store, q: &str) -> Result<Vec<u64>> {
    let q = crate::store::PersonQuery::parse(q).map_err(anyhow::Error::msg)?;
    Ok(store.find_person(&q)?)
}

/// The rejected records, with where and why, as CSV (UTF-8 with BOM for Excel).
fn write_rejects(path: &Path, problems: &[Problem]) -> Result<()> {
    let mut file = crate::io::export::AtomicFile::create(path)?;
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(["文件", "行", "列", "原因", "原始内容"])?;
    for p in problems {
        w.write_record([
            p.file.display().to_string(),
            p.line.to_string(),
            p.column.clone().unwrap_or_default(),
            p.reason.clone(),
            p.raw.clone(),
        ])?;
    }
    let bytes = w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    use std::io::Write;
    file.writer().write_all(&[0xEF, 0xBB, 0xBF])?;
    file.writer().write_all(&bytes)?;
    file.finish()?;
    Ok(())
}
