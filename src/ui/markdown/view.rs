//! The thin view over the renderer: a [`Node`] becomes the one element it names, text
//! becomes a text node, attributes come only from checked values. No `inner_html`.

use leptos::prelude::*;

use super::{
    node::{Align, Kind, Node},
    stream::Block,
};
use crate::ui::browser;

/// One finished block. Its DOM is built once and never touched again.
#[component]
pub fn BlockView(block: Block) -> impl IntoView {
    view! { <div class="md-block" data-block=block.index data-line=block.line>{nodes_view(&block.nodes)}</div> }
}

/// The DOM for a list of nodes.
pub fn nodes_view(nodes: &[Node]) -> AnyView {
    nodes.iter().map(node_view).collect_view().into_any()
}

fn align_class(align: Align) -> &'static str {
    match align {
        Align::None => "",
        Align::Left => "align-left",
        Align::Center => "align-center",
        Align::Right => "align-right",
    }
}

fn node_view(node: &Node) -> AnyView {
    let (kind, children) = match node {
        Node::Text(t) => return t.clone().into_any(),
        Node::Element(kind, children) => (kind, children),
    };
    let inner = nodes_view(children);
    match kind {
        Kind::Paragraph => view! { <p>{inner}</p> }.into_any(),
        Kind::Heading(1) => view! { <h1>{inner}</h1> }.into_any(),
        Kind::Heading(2) => view! { <h2>{inner}</h2> }.into_any(),
        Kind::Heading(3) => view! { <h3>{inner}</h3> }.into_any(),
        Kind::Heading(4) => view! { <h4>{inner}</h4> }.into_any(),
        Kind::Heading(5) => view! { <h5>{inner}</h5> }.into_any(),
        Kind::Heading(_) => view! { <h6>{inner}</h6> }.into_any(),
        Kind::BlockQuote => view! { <blockquote>{inner}</blockquote> }.into_any(),
        Kind::List(None) => view! { <ul>{inner}</ul> }.into_any(),
        Kind::List(Some(start)) => view! { <ol start=*start>{inner}</ol> }.into_any(),
        Kind::Item => view! { <li>{inner}</li> }.into_any(),
        Kind::CodeBlock(lang) => code_block(lang.clone(), node.plain_text(), inner),
        Kind::RawHtml => view! { <p class="raw-html">{inner}</p> }.into_any(),
        Kind::Table => view! {
            <div class="table-scroll">
                <table>{inner}</table>
            </div>
        }
        .into_any(),
        Kind::TableHead => view! {
            <thead>
                <tr>{inner}</tr>
            </thead>
        }
        .into_any(),
        Kind::TableRow => view! { <tr>{inner}</tr> }.into_any(),
        Kind::TableCell {
            header: true,
            align,
        } => view! { <th class=align_class(*align)>{inner}</th> }.into_any(),
        Kind::TableCell {
            header: false,
            align,
        } => view! { <td class=align_class(*align)>{inner}</td> }.into_any(),
        Kind::Emphasis => view! { <em>{inner}</em> }.into_any(),
        Kind::Strong => view! { <strong>{inner}</strong> }.into_any(),
        Kind::Strikethrough => view! { <del>{inner}</del> }.into_any(),
        Kind::Code => view! { <code>{inner}</code> }.into_any(),
        Kind::Link(target) => {
            view! { <a href=target.href().to_owned() rel=target.rel()>{inner}</a> }.into_any()
        }
        Kind::Image(url) => view! {
            <span class="image-ref">
                <span class="image-alt">{inner}</span>
                " "
                <span class="image-url">{format!("({url})")}</span>
            </span>
        }
        .into_any(),
        Kind::Rule => view! { <hr/> }.into_any(),
        Kind::LineBreak => view! { <br/> }.into_any(),
        Kind::TaskMarker(done) => {
            let mark = if *done { "☑ " } else { "☐ " };
            view! { <span class="task" data-done=done.to_string()>{mark}</span> }.into_any()
        }
    }
}

/// A code block with its own copy button. The button's label is drawn by CSS, so the
/// report's text is exactly the code.
fn code_block(lang: Option<String>, code: String, inner: AnyView) -> AnyView {
    let copy = move |_| browser::copy_text(&code);
    view! {
        <div class="code-block">
            <button class="copy-code" type="button" aria-label="Copy code" on:click=copy></button>
            <pre data-lang=lang>
                <code>{inner}</code>
            </pre>
        </div>
    }
    .into_any()
}
