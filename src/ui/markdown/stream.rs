//! One report's markdown as it streams: text in per frame, newly finished blocks and
//! the repaired tail out. The session keeps one of these per report.

use std::sync::Arc;

use super::{
    blocks::BlockSplitter,
    node::Node,
    render::{render_block, render_tail},
};

/// A finished block: rendered once, keyed by its position in the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub index: usize,
    pub nodes: Arc<Vec<Node>>,
}

/// What one frame changes: blocks to append, and the tail to show under them.
#[derive(Debug, PartialEq, Eq)]
pub struct Frame {
    pub finished: Vec<Block>,
    pub tail: Vec<Node>,
}

#[derive(Debug, Default)]
pub struct LiveMarkdown {
    splitter: BlockSplitter,
    blocks: usize,
}

impl LiveMarkdown {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends the text of one frame. Cost: the new text plus the tail, never the
    /// whole report.
    pub fn push(&mut self, text: &str) -> Frame {
        let finished = self
            .splitter
            .push(text)
            .into_iter()
            .map(|range| {
                let index = self.blocks;
                self.blocks += 1;
                Block {
                    index,
                    nodes: Arc::new(render_block(&self.splitter.text()[range])),
                }
            })
            .collect();
        Frame {
            finished,
            tail: render_tail(self.splitter.tail()),
        }
    }

    /// The last block as written, once the stream has ended (no more repair).
    pub fn finish(&self) -> Vec<Node> {
        render_block(self.splitter.tail())
    }

    /// The markdown received so far, exactly as the model wrote it.
    pub fn text(&self) -> &str {
        self.splitter.text()
    }
}
