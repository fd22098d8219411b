//! The offline analyzer's speed (a benchmark, not a test): MB/s over 1 MB of real Solidity
//! (the SWC corpus, file by file, repeated), one 1 MB file at once, and the time from a
//! request to the builtin provider's first token for a 1,000-line contract (analysis and
//! rendering included), and a project of about 1 MB in scope (`testdata/projects/
//! foundry-vault`'s sources copied into many folders over its OpenZeppelin library, one
//! symbol table across imports) against the same files analyzed each alone. Prints medians
//! over `RUNS` runs. `AUDITSTREAM_BENCH_PROJECT=/path/to/project` measures a real project
//! folder too.
//!
//! `cargo bench --features ssr --bench analyzer`

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use auditstream::analyzer::project::analyze_project;
use auditstream::analyzer::{analyze, render_markdown};
use auditstream::project::{Project, ProjectLimits, ScopeRules, SourceFile, folder};
use auditstream::server::providers::builtin;
use futures_util::StreamExt;

/// Runs per measurement; the median is reported.
const RUNS: usize = 11;
/// How much source the throughput runs analyse.
const TARGET_BYTES: usize = 1 << 20;
/// The size of the contract the first-token figure is for.
const TARGET_LINES: usize = 1_000;

fn corpus() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/swc");
    let mut files: Vec<PathBuf> = Vec::new();
    let mut dirs = vec![root];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).expect("testdata/swc") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "sol") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
            (name, text)
        })
        .collect()
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn measure(mut f: impl FnMut()) -> Duration {
    f(); // warm-up
    median(
        (0..RUNS)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

fn mb_per_s(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / (1 << 20) as f64 / d.as_secs_f64()
}

fn main() {
    let files = corpus();
    // File by file until 1 MB.
    let mut batch: Vec<&(String, String)> = Vec::new();
    let mut bytes = 0;
    while bytes < TARGET_BYTES {
        for f in &files {
            batch.push(f);
            bytes += f.1.len();
        }
    }
    let per_file = measure(|| {
        for (name, text) in &batch {
            std::hint::black_box(analyze(text, Some(name)));
        }
    });
    println!(
        "analyze, {} files ({:.2} MB): median {:.1} ms, {:.1} MB/s",
        batch.len(),
        bytes as f64 / (1 << 20) as f64,
        per_file.as_secs_f64() * 1e3,
        mb_per_s(bytes, per_file)
    );

    // One file of 1 MB (many contracts in one paste), and the same at an eighth, a quarter
    // and a half of it: the time per MB shows whether one file grows faster than linearly.
    let mut one = Duration::ZERO;
    let mut big = String::new();
    for size in [
        TARGET_BYTES / 8,
        TARGET_BYTES / 4,
        TARGET_BYTES / 2,
        TARGET_BYTES,
    ] {
        big = one_file(&files, size);
        one = measure(|| {
            std::hint::black_box(analyze(&big, Some("Big.sol")));
        });
        println!(
            "analyze, one {:.2} MB file ({} lines): median {:.1} ms, {:.1} MB/s",
            big.len() as f64 / (1 << 20) as f64,
            big.lines().count(),
            one.as_secs_f64() * 1e3,
            mb_per_s(big.len(), one)
        );
    }
    println!(
        "one {:.2} MB file vs the same bytes file by file: {:.2}x the time",
        big.len() as f64 / (1 << 20) as f64,
        one.as_secs_f64() / per_file.as_secs_f64()
    );

    // A 1,000-line contract: real contracts concatenated.
    let mut thousand = String::new();
    'lines: loop {
        for (_, text) in &files {
            for line in text.lines() {
                thousand.push_str(line);
                thousand.push('\n');
                if thousand.lines().count() >= TARGET_LINES {
                    break 'lines;
                }
            }
        }
    }
    let render = measure(|| {
        std::hint::black_box(render_markdown(&analyze(&thousand, Some("Thousand.sol"))));
    });
    println!(
        "analyze + render, {TARGET_LINES} lines: median {:.2} ms",
        render.as_secs_f64() * 1e3
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let first_token = measure(|| {
        rt.block_on(async {
            let mut s = builtin::stream(&thousand, Some("Thousand.sol"), Duration::ZERO);
            std::hint::black_box(s.next().await);
        })
    });
    println!(
        "builtin provider, request to first token, {TARGET_LINES} lines: median {:.2} ms (budget 50 ms)",
        first_token.as_secs_f64() * 1e3
    );

    project_case();
}

/// Whole corpus files, one after another, until `bytes`: one paste of many contracts.
fn one_file(files: &[(String, String)], bytes: usize) -> String {
    let mut big = String::new();
    'fill: loop {
        for (_, text) in files {
            big.push_str(text);
            big.push('\n');
            if big.len() >= bytes {
                break 'fill;
            }
        }
    }
    big
}

/// A project of about `TARGET_BYTES` in scope: the Foundry test project's sources in many
/// folders, all over one OpenZeppelin `lib/`.
fn synthetic_project() -> Project {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/projects/foundry-vault");
    let limits = ProjectLimits {
        max_total_bytes: 64 << 20,
        max_files: 100_000,
        ..ProjectLimits::default()
    };
    let (files, _) = folder::read_folder(&root, &limits).expect("the test project");
    let mut out: Vec<SourceFile> = Vec::new();
    let mut bytes = 0;
    let mut copy = 0;
    while bytes < TARGET_BYTES {
        for f in files
            .iter()
            .filter(|f| f.path.starts_with("src/") && !f.path.contains("mocks"))
        {
            let path = f.path.replacen("src/", &format!("src/m{copy}/"), 1);
            bytes += f.content.len();
            out.push(SourceFile {
                path,
                content: f.content.clone(),
            });
        }
        copy += 1;
    }
    out.extend(files.into_iter().filter(|f| !f.path.starts_with("src/")));
    Project::new(out, Vec::new(), &ScopeRules::default())
}

fn project_case() {
    let mut projects = vec![("synthetic".to_owned(), synthetic_project())];
    if let Ok(dir) = std::env::var("AUDITSTREAM_BENCH_PROJECT") {
        let limits = ProjectLimits {
            max_total_bytes: 256 << 20,
            max_files: 100_000,
            max_file_bytes: 16 << 20,
            ..ProjectLimits::default()
        };
        let (files, skipped) = folder::read_folder(Path::new(&dir), &limits).expect("the project");
        projects.push((dir, Project::new(files, skipped, &ScopeRules::default())));
    }
    for (name, project) in &projects {
        let in_scope = project.in_scope();
        let scope_bytes: usize = in_scope
            .iter()
            .map(|&i| project.files[i].content.len())
            .sum();
        let all_bytes: usize = project.files.iter().map(|f| f.content.len()).sum();
        let whole = measure(|| {
            std::hint::black_box(analyze_project(project));
        });
        let alone = measure(|| {
            for &i in &in_scope {
                let f = &project.files[i];
                std::hint::black_box(analyze(&f.content, Some(&f.path)));
            }
        });
        println!(
            "analyze_project, {name}: {} files ({:.2} MB), {} in scope ({:.2} MB): median {:.1} ms; \
             the files in scope each alone: {:.1} ms",
            project.files.len(),
            all_bytes as f64 / (1 << 20) as f64,
            in_scope.len(),
            scope_bytes as f64 / (1 << 20) as f64,
            whole.as_secs_f64() * 1e3,
            alone.as_secs_f64() * 1e3
        );
    }
}
