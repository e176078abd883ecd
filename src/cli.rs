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
use crate::io::import::{ImportError, ImportOptions, Problem, Stage, import_files};
use crate::model::{Dossier, PartialDate};
use crate::store::Store;

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
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// 导入 JSON Lines（.jsonl）或 CSV（.csv，中文表头）文件；默认全部成功才写入
    Import {
        /// 要导入的文件
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// 跳过有错误的行，导入其余各行，并把被拒绝的行及原因写入文件
        #[arg(long)]
        skip_invalid: bool,
        /// 被拒绝行的输出文件（默认：第一个输入文件旁的 *.rejected.csv）
        #[arg(long, value_name = "PATH", requires = "skip_invalid")]
        rejects: Option<PathBuf>,
    },
    /// 导出全部档案
    Export {
        /// 格式：jsonl（完整）或 csv（Excel 可打开的扁平表）
        #[arg(long, value_enum)]
        format: ExportArg,
        /// 输出文件
        #[arg(long, value_name = "PATH")]
        out: PathBuf,
    },
    /// 按姓名、身份证号或档案编号（#123）显示一份档案
    Show {
        /// 姓名、18 位身份证号，或档案编号（如 #12）
        name_or_id: String,
    },
    /// 检查每条记录能否解码、每个索引是否与记录一致
    Check,
    /// 演示数据
    Demo {
        #[command(subcommand)]
        command: DemoCommand,
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

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum ExportArg {
    Jsonl,
    Csv,
}

/// Set by Ctrl-C; long operations stop and undo what they did.
static CANCEL: AtomicBool = AtomicBool::new(false);

/// Exit status for input that was refused.
const EXIT_INVALID: u8 = 2;
/// Exit status after Ctrl-C.
const EXIT_INTERRUPTED: u8 = 130;

pub fn main() -> ExitCode {
    let cli = Cli::parse();
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

fn open_store(cli: &Cli) -> Result<Store> {
    match &cli.db {
        Some(path) => {
            Store::open(path).with_context(|| format!("无法打开数据库 {}", path.display()))
        }
        None => {
            let path = data_dir()?.join("db");
            let fresh = !path.exists();
            std::fs::create_dir_all(&path)
                .with_context(|| format!("无法创建数据库目录 {}", path.display()))?;
            restrict_dir(&path);
            let store =
                Store::open(&path).with_context(|| format!("无法打开数据库 {}", path.display()))?;
            if fresh || store.is_empty()? {
                crate::seed::seed_demo(&store).context("无法以演示数据初始化默认数据库")?;
            }
            Ok(store)
        }
    }
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

fn run(cli: Cli) -> Result<ExitCode> {
    match &cli.command {
        None => {
            let store = open_store(&cli)?;
            crate::tui::run(
                store,
                crate::tui::TuiOptions {
                    mask: cli.mask,
                    config_dir: None,
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
            let store = open_store(&cli)?;
            let bar = progress_bar("检查");
            let mut progress = |stage: Stage, n: u64| {
                if let Stage::Writing { total } = stage {
                    set_total(&bar, "写入", total);
                }
                bar.set_position(n);
            };
            let opts = ImportOptions {
                skip_invalid: *skip_invalid,
            };
            let result = import_files(&store, files, &opts, &mut progress, &CANCEL);
            bar.finish_and_clear();
            match result {
                Ok(report) => {
                    for n in &report.notices {
                        eprintln!("注意：{n}");
                    }
                    println!(
                        "已导入 {} 份档案、{} 个单位。",
                        report.dossiers, report.units
                    );
                    if !report.rejected.is_empty() {
                        let path = rejects.clone().unwrap_or_else(|| {
                            let first = &files[0];
                            first.with_extension("rejected.csv")
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
        Some(Command::Export { format, out }) => {
            install_ctrlc();
            let store = open_store(&cli)?;
            let bar = progress_bar("导出");
            let total = store.dossier_count() as u64;
            set_total(&bar, "导出", total);
            let format = match format {
                ExportArg::Jsonl => ExportFormat::JsonLines,
                ExportArg::Csv => ExportFormat::Csv,
            };
            let result = export(
                &store,
                format,
                out,
                &|_: &Dossier| true,
                &mut |n| bar.set_position(n),
                &CANCEL,
            );
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
            let store = open_store(&cli)?;
            let ids = resolve_person(&store, name_or_id)?;
            match ids.as_slice() {
                [] => {
                    eprintln!("没有找到“{name_or_id}”。");
                    Ok(ExitCode::FAILURE)
                }
                [id] => {
                    let d = store.dossier(*id)?.context("档案已不存在")?;
                    let units = store.directory()?;
                    print!(
                        "{}",
                        crate::show::dossier_text(&d, &units, &PartialDate::today(), cli.mask)
                    );
                    Ok(ExitCode::SUCCESS)
                }
                many => {
                    eprintln!("“{name_or_id}”有 {} 人，请用档案编号指定：", many.len());
                    let units = store.directory()?;
                    for id in many {
                        if let Some(d) = store.dossier(*id)? {
                            let post = d
                                .current_posting()
                                .map(|p| {
                                    let unit = p
                                        .unit
                                        .and_then(|u| units.get(u))
                                        .map(|u| u.name.as_str())
                                        .unwrap_or(&p.unit_name);
                                    format!("{unit}{}", p.position)
                                })
                                .unwrap_or_default();
                            eprintln!(
                                "  #{id}  {} {} {}",
                                d.identity.name,
                                d.identity.birth.dotted(),
                                post
                            );
                        }
                    }
                    Ok(ExitCode::FAILURE)
                }
            }
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
            println!("{summary}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Dossier ids for a name, an ID number or `#id`.
fn resolve_person(store: &Store, q: &str) -> Result<Vec<u64>> {
    let q = q.trim();
    if let Some(num) = q.strip_prefix('#') {
        let id: u64 = num.parse().with_context(|| format!("“{q}”不是档案编号"))?;
        return Ok(store.dossier(id)?.map(|d| vec![d.id]).unwrap_or_default());
    }
    if q.len() == 18 && q[..17].bytes().all(|b| b.is_ascii_digit()) {
        return Ok(store.find_by_id_number(q)?.into_iter().collect());
    }
    Ok(store.find_by_name(q)?)
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
