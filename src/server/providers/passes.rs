//! A project too large for the model's window, reported in passes: the files in scope
//! are grouped (dependencies first) so that each pass's prompt (its files in full, the
//! interfaces of everything else they import) fits, and the passes stream one after the
//! other as one report: one title, a `## Pass k of n: files` section per pass, findings
//! numbered once across passes, one summary at the end. The next pass is asked for only
//! when the one before has finished, inside the same frame stream, so Stop (dropping
//! the stream) closes the running pass's connection and no later pass ever starts.
//! Planning and the report's own text are pure; `stream` is the thin IO.

use std::collections::VecDeque;

use futures_util::StreamExt;

use super::{
    Finish, Frame, FrameStream, OpenError, ReportJob, StreamFailure, UpstreamError,
    estimated_tokens,
};
use crate::project::Project;
use crate::report::{Severity, parse_finished_report};
use crate::server::prompt::{self, PassNote};

/// The in-scope files of each pass (indices into `project.files`), or the tokens the
/// smallest pass would need when one file alone does not fit in `budget` prompt tokens.
pub fn plan(project: &Project, budget: usize) -> Result<Vec<Vec<usize>>, usize> {
    let boundary = prompt::new_boundary();
    let cost = |files: &[usize]| {
        let note = PassNote {
            index: 99,
            total: 99,
            first_number: 999,
        };
        estimated_tokens(&prompt::project_part(project, files, &boundary, Some(note)))
    };
    let order: Vec<usize> = project
        .dependency_order()
        .into_iter()
        .filter(|&i| project.roles[i] == crate::project::Role::InScope)
        .collect();
    let mut passes: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    for file in order {
        current.push(file);
        if cost(&current) <= budget {
            continue;
        }
        current.pop();
        if current.is_empty() {
            return Err(cost(&[file]));
        }
        passes.push(std::mem::take(&mut current));
        current.push(file);
        let alone = cost(&current);
        if alone > budget {
            return Err(alone);
        }
    }
    if !current.is_empty() {
        passes.push(current);
    }
    Ok(passes)
}

/// `src/A.sol, src/B.sol` (at most three names, then "and n more").
pub fn pass_label(project: &Project, files: &[usize]) -> String {
    let names: Vec<&str> = files
        .iter()
        .take(3)
        .map(|&i| project.files[i].path.as_str())
        .collect();
    match files.len() {
        n if n > 3 => format!("{} and {} more", names.join(", "), n - 3),
        _ => names.join(", "),
    }
}

/// The report's opening: its title and why it comes in passes.
pub fn opening(project: &Project, total: usize) -> String {
    format!(
        "# Security report: {} project\n\nThe files in scope do not fit the model's context \
         window in one request (`context_tokens`), so they are audited in {total} passes, \
         each with the interfaces of the files it imports.\n\n",
        project.layout.kind.as_str()
    )
}

/// The summary after the last pass, from the findings of the whole text.
pub fn closing(text: &str, passes: usize, files: usize) -> String {
    let report = parse_finished_report(text);
    let counts: Vec<String> = Severity::all()
        .filter_map(|s| {
            let n = report.findings.iter().filter(|f| f.severity == s).count();
            (n > 0).then(|| format!("{n} {s}"))
        })
        .collect();
    let found = match report.findings.len() {
        0 => "no findings".to_owned(),
        n => format!("{n} finding(s): {}", counts.join(", ")),
    };
    format!("\n\n## Summary\n\n{files} file(s) in scope, audited in {passes} passes; {found}.\n")
}

/// What a later pass needs to open its request, owned by the stream.
pub struct Owned {
    pub client: reqwest::Client,
    pub wire: &'static dyn super::Wire,
    pub provider: crate::server::config::ProviderConfig,
    pub model: String,
    pub limits: crate::server::config::Limits,
    pub malformed: super::MalformedCount,
}

/// Pass 1 is open already (`first`, so a refusal before any text is an `OpenError` and
/// the fallback chain applies); the others open as each one before them finishes.
pub fn stream(
    project: Project,
    passes: Vec<Vec<usize>>,
    first: FrameStream,
    owned: Owned,
) -> FrameStream {
    let total = passes.len();
    let files = passes.iter().map(Vec::len).sum();
    let mut queue: VecDeque<Result<Frame, StreamFailure>> = VecDeque::new();
    queue.push_back(Ok(Frame::Delta(opening(&project, total))));
    queue.push_back(Ok(Frame::Delta(crate::report::pass::heading(
        1,
        total,
        &pass_label(&project, &passes[0]),
    ))));
    let state = State {
        project,
        passes,
        next: 1,
        current: Some(first),
        queue,
        text: String::new(),
        output_tokens: None,
        files,
        owned,
        ended: false,
    };
    Box::pin(futures_util::stream::unfold(state, |mut s| async move {
        loop {
            if let Some(item) = s.queue.pop_front() {
                if let Ok(Frame::Delta(t)) = &item {
                    s.text.push_str(t);
                }
                return Some((item, s));
            }
            if s.ended {
                return None;
            }
            let Some(current) = s.current.as_mut() else {
                s.open_next().await;
                continue;
            };
            match current.next().await {
                Some(Ok(Frame::Finish(finish))) => {
                    s.current = None;
                    if let Some(n) = finish.output_tokens {
                        *s.output_tokens.get_or_insert(0) += n;
                    }
                    if s.next == s.passes.len() {
                        let closing = closing(&s.text, s.passes.len(), s.files);
                        s.queue.push_back(Ok(Frame::Delta(closing)));
                        s.queue.push_back(Ok(Frame::Finish(Finish {
                            output_tokens: s.output_tokens,
                            ..finish
                        })));
                        s.ended = true;
                    }
                }
                Some(item) => {
                    if item.is_err() {
                        s.ended = true;
                    }
                    s.queue.push_back(item);
                }
                None => {
                    s.ended = true;
                    s.queue.push_back(Err(StreamFailure::Truncated));
                }
            }
        }
    }))
}

struct State {
    project: Project,
    passes: Vec<Vec<usize>>,
    /// The 0-based index of the pass to open next.
    next: usize,
    current: Option<FrameStream>,
    queue: VecDeque<Result<Frame, StreamFailure>>,
    /// The report so far (for numbering and the summary).
    text: String,
    output_tokens: Option<u64>,
    files: usize,
    owned: Owned,
    ended: bool,
}

impl State {
    /// Opens the next pass, or ends the stream with why it could not be opened.
    async fn open_next(&mut self) {
        let index = self.next;
        self.next += 1;
        let total = self.passes.len();
        let first_number = parse_finished_report(&self.text).findings.len() + 1;
        let note = PassNote {
            index: index + 1,
            total,
            first_number,
        };
        let heading = crate::report::pass::heading(
            index + 1,
            total,
            &pass_label(&self.project, &self.passes[index]),
        );
        let user = prompt::project_part(
            &self.project,
            &self.passes[index],
            &prompt::new_boundary(),
            Some(note),
        );
        match open_pass(&self.owned, &user).await {
            Ok(frames) => {
                self.queue
                    .push_back(Ok(Frame::Delta(format!("\n\n{heading}"))));
                self.current = Some(frames);
            }
            Err(e) => {
                self.ended = true;
                self.queue
                    .push_back(Err(StreamFailure::Upstream(UpstreamError {
                        kind: Some("pass".to_owned()),
                        message: format!("pass {} of {total} could not start: {e}", index + 1),
                    })));
            }
        }
    }
}

/// One later pass's request, as `open` sends the first.
async fn open_pass(o: &Owned, user: &str) -> Result<FrameStream, OpenError> {
    let job = ReportJob {
        provider: &o.provider,
        model: &o.model,
        contract: "",
        filename: None,
        project: super::ProjectFiles::NONE,
        guidance: None,
        limits: &o.limits,
        builtin_pace: std::time::Duration::ZERO,
        malformed: o.malformed.clone(),
    };
    super::ask(&o.client, &job, o.wire, user).await
}
