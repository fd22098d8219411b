//! Coalesces token text into at most one sink call per `requestAnimationFrame`, so
//! hundreds of tokens a second cause one re-render per frame, not one per token.

use std::{
    cell::{Cell, RefCell},
    rc::Rc,
};

struct Inner {
    pending: RefCell<String>,
    scheduled: Cell<bool>,
    sink: Box<dyn Fn(&str)>,
}

impl Inner {
    fn flush(&self) {
        self.scheduled.set(false);
        let text = std::mem::take(&mut *self.pending.borrow_mut());
        if !text.is_empty() {
            (self.sink)(&text);
        }
    }
}

/// Buffers text until the next animation frame, then hands it to the sink in one go.
#[derive(Clone)]
pub struct FrameBatcher {
    inner: Rc<Inner>,
}

impl FrameBatcher {
    pub fn new(sink: impl Fn(&str) + 'static) -> Self {
        Self {
            inner: Rc::new(Inner {
                pending: RefCell::new(String::new()),
                scheduled: Cell::new(false),
                sink: Box::new(sink),
            }),
        }
    }

    /// Queues `text`; schedules one flush for the next frame if none is pending.
    pub fn push(&self, text: &str) {
        self.inner.pending.borrow_mut().push_str(text);
        if !self.inner.scheduled.replace(true) {
            let inner = Rc::clone(&self.inner);
            leptos::prelude::request_animation_frame(move || inner.flush());
        }
    }

    /// Hands over everything queued now (at the end of a stream, or on Stop).
    pub fn flush(&self) {
        self.inner.flush();
    }
}
