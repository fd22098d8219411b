//! `reentrancy-gas-limited` (SWC-107): state written after a `send` or `transfer` in the same
//! function (or an internal function it calls). The callee gets only the 2,300-gas stipend,
//! which today is too little to call back and write state, so this is not exploitable
//! reentrancy now; but the ordering is only safe while gas costs stay as they are, and they
//! have changed before (EIP-1884). Reported as Low, and only where no full-gas call comes
//! before the write (that is the `reentrancy` check's to judge).

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit};
use crate::report::{Confidence, Severity};

use super::reentrancy::{may_reenter, short, span, steps, write_after};

pub struct ReentrancyGasLimited;

impl Detector for ReentrancyGasLimited {
    fn id(&self) -> &'static str {
        "reentrancy-gas-limited"
    }

    fn swc(&self) -> Option<&'static str> {
        Some("SWC-107")
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Hit> {
        let mut hits = Vec::new();
        for f in cx.symbols().functions() {
            if !may_reenter(f) {
                continue;
            }
            let steps = steps(cx, f);
            if write_after(&steps, false, false).is_some() {
                continue;
            }
            let Some((call, write, var)) = write_after(&steps, true, false) else {
                continue;
            };
            let (line, end, also) = span(f, call, &write);
            let name = f.display_name();
            let method = call.method;
            hits.push(
                Hit::at_line(line, Severity::Low, Confidence::Medium, format!("Reentrancy through a gas-limited call in `{name}`"))
                    .to_line(end)
                    .also_at(also)
                    .within(Some(name.clone()))
                    .explain(
                        format!(
                            "`{name}` sends ether with `{}` (line {}) and writes the state variable `{var}` afterwards (line {}). `{method}` forwards only 2,300 gas, so the recipient cannot call back and act on the stale `{var}` today: that is why this is Low and not High. The order is still wrong, and it turns exploitable if gas costs change, as they have before.",
                            short(call.node.text()),
                            call.node.line(),
                            write.line()
                        ),
                        format!("Update `{var}` before sending (checks-effects-interactions)."),
                    ),
            );
        }
        hits
    }
}
