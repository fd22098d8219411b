//! The live report renderer: markdown as it streams, at constant cost per frame.
//!
//! [`BlockSplitter`] cuts the growing text into finished blocks and one tail; each
//! finished block is rendered once ([`render_block`]) and its DOM never changes again;
//! only the tail is repaired and re-rendered each frame ([`render_tail`]). Everything
//! here is pure and unit-tested; `view` turns the [`MarkupNode`] tree into DOM one to one,
//! never through `inner_html`.

mod blocks;
pub mod link;
mod node;
mod render;
mod repair;
mod stream;
mod view;

#[cfg(test)]
mod tests;

pub use blocks::BlockSplitter;
pub use node::{Align, Kind, MarkupNode};
pub use render::{render_block, render_tail};
pub use stream::{LiveMarkdown, RenderUpdate, RenderedBlock};
pub use view::{BlockView, nodes_view};
