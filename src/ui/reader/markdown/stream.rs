//! One report's markdown as it streams: text in per frame, newly finished blocks and
//! the repaired tail out. The session keeps one of these per report.

use std::sync::Arc;

use super::{
    blocks::BlockSplitter,
    node::MarkupNode,
    render::{render_block, render_tail},
};

/// A finished block: rendered once, keyed by its position in the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderedBlock {
    pub index: usize,
    /// 1-based line of the report text the block starts on.
    pub line: u32,
    pub nodes: Arc<Vec<MarkupNode>>,
}

/// What one frame changes: blocks to append, and the tail to show under them.
#[derive(Debug, PartialEq, Eq)]
pub struct RenderUpdate {
    pub finished: Vec<RenderedBlock>,
    pub tail: Vec<MarkupNode>,
}

#[derive(Debug, Default)]
pub struct LiveMarkdown {
    splitter: BlockSplitter,
    blocks: usize,
    /// Lines before the tail.
    lines: u32,
}

impl LiveMarkdown {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends the text of one frame. Cost: the new text plus the tail, never the
    /// whole report.
    pub fn push(&mut self, text: &str) -> RenderUpdate {
        let finished = self
            .splitter
            .push(text)
            .into_iter()
            .map(|text| {
                let index = self.blocks;
                self.blocks += 1;
                // The first line with text: leading blank lines belong to the block.
                let blank = text.len() - text.trim_start().len();
                let line = self.lines + 1 + text[..blank].matches('\n').count() as u32;
                self.lines += text.matches('\n').count() as u32;
                RenderedBlock {
                    index,
                    line,
                    nodes: Arc::new(render_block(&text)),
                }
            })
            .collect();
        RenderUpdate {
            finished,
            tail: render_tail(self.splitter.tail()),
        }
    }

    /// The last block as written, once the stream has ended (no more repair).
    pub fn finish(&self) -> Vec<MarkupNode> {
        render_block(self.splitter.tail())
    }
}
