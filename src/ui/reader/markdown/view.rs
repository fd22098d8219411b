//! The thin view over the renderer: a [`MarkupNode`] becomes the one element it names, text
//! becomes a text node, attributes come only from checked values. No `inner_html`.

use leptos::prelude::*;

use super::{
    node::{Align, Kind, MarkupNode},
    stream::RenderedBlock,
};
use crate::ui::browser;

/// One finished block. Its DOM is built once and never touched again.
#[component]
pub fn BlockView(block: RenderedBlock) -> impl IntoView {
    view! { <div class="md-block" data-block=block.index data-line=block.line>{nodes_view(&block.nodes)}</div> }
}

/// The DOM for a list of nodes.
pub fn nodes_view(nodes: &[MarkupNode]) -> AnyView {
    nodes.iter().map(node_view).collect_view().into_any()
}

fn align_class(align: Align) -> Option<&'static str> {
    match align {
        Align::None => None,
        Align::Left => Some("align-left"),
        Align::Center => Some("align-center"),
        Align::Right => Some("align-right"),
    }
}

/// The attributes a report element may carry; `None` leaves one out. Every element
/// shares this one shape, so the whole renderer compiles to one element type instead
/// of one per tag: this keeps the browser bundle small (each distinct view type brings
/// its own build, hydrate and update code).
#[derive(Default)]
struct Attrs {
    class: Option<&'static str>,
    start: Option<String>,
    href: Option<String>,
    rel: Option<&'static str>,
    done: Option<&'static str>,
}

fn element(tag: &'static str, attrs: Attrs, inner: AnyView) -> AnyView {
    use leptos::tachys::html::{
        attribute::custom::CustomAttribute,
        element::{ElementChild, custom},
    };
    custom(tag)
        .attr("class", attrs.class)
        .attr("start", attrs.start)
        .attr("href", attrs.href)
        .attr("rel", attrs.rel)
        .attr("data-done", attrs.done)
        .child(inner)
        .into_any()
}

fn plain(tag: &'static str, inner: AnyView) -> AnyView {
    element(tag, Attrs::default(), inner)
}

fn classed(tag: &'static str, class: &'static str, inner: AnyView) -> AnyView {
    let attrs = Attrs {
        class: Some(class),
        ..Attrs::default()
    };
    element(tag, attrs, inner)
}

fn node_view(node: &MarkupNode) -> AnyView {
    let (kind, children) = match node {
        MarkupNode::Text(t) => return t.clone().into_any(),
        MarkupNode::Element(kind, children) => (kind, children),
    };
    let inner = nodes_view(children);
    match kind {
        Kind::Paragraph => plain("p", inner),
        Kind::Heading(level) => plain(
            match level {
                1 => "h1",
                2 => "h2",
                3 => "h3",
                4 => "h4",
                5 => "h5",
                _ => "h6",
            },
            inner,
        ),
        Kind::BlockQuote => plain("blockquote", inner),
        Kind::List(None) => plain("ul", inner),
        Kind::List(Some(start)) => element(
            "ol",
            Attrs {
                start: Some(start.to_string()),
                ..Attrs::default()
            },
            inner,
        ),
        Kind::Item => plain("li", inner),
        Kind::CodeBlock(lang) => code_block(lang.clone(), node.plain_text(), inner),
        Kind::RawHtml => classed("p", "raw-html", inner),
        Kind::Table => classed("div", "table-scroll", plain("table", inner)),
        Kind::TableHead => plain("thead", plain("tr", inner)),
        Kind::TableRow => plain("tr", inner),
        Kind::TableCell { header, align } => element(
            if *header { "th" } else { "td" },
            Attrs {
                class: align_class(*align),
                ..Attrs::default()
            },
            inner,
        ),
        Kind::Emphasis => plain("em", inner),
        Kind::Strong => plain("strong", inner),
        Kind::Strikethrough => plain("del", inner),
        Kind::Code => plain("code", inner),
        Kind::Link(target) => element(
            "a",
            Attrs {
                href: Some(target.href().to_owned()),
                rel: target.rel(),
                ..Attrs::default()
            },
            inner,
        ),
        Kind::Image(url) => {
            let parts = vec![
                classed("span", "image-alt", inner),
                " ".to_owned().into_any(),
                classed("span", "image-url", format!("({url})").into_any()),
            ];
            classed("span", "image-ref", parts.into_any())
        }
        // Void elements keep their own views: a generic element would close them
        // (`</br>` parses as a second line break).
        Kind::Rule => view! { <hr/> }.into_any(),
        Kind::LineBreak => view! { <br/> }.into_any(),
        Kind::TaskMarker(done) => element(
            "span",
            Attrs {
                class: Some("task"),
                done: Some(if *done { "true" } else { "false" }),
                ..Attrs::default()
            },
            (if *done { "☑ " } else { "☐ " }).to_owned().into_any(),
        ),
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
