//! `hardcoded-gas` (SWC-134): a call with a fixed gas amount (`.gas(2300)`, `{gas: 10000}`).
//! Gas costs change between forks, so a call that works today can run out of gas tomorrow.

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit};
use crate::analyzer::syntax::{Call, kind};
use crate::report::{Confidence, Severity};

pub struct HardcodedGas;

impl Detector for HardcodedGas {
    fn id(&self) -> &'static str {
        "hardcoded-gas"
    }

    fn swc(&self) -> Option<&'static str> {
        Some("SWC-134")
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Hit> {
        let mut hits = Vec::new();
        for call in cx.nodes_of(kind::CALL).into_iter().filter_map(Call::of) {
            let Some(gas) = call.gas else { continue };
            if !gas.is(kind::NUMBER) {
                continue;
            }
            hits.push(
                Hit::new(&call.node, Severity::Low, Confidence::High, format!("Call with a fixed gas amount ({})", gas.text()))
                    .within(cx.function_name(&call.node))
                    .explain(
                        format!("The call forwards exactly {} gas. Opcode prices change with network upgrades (EIP-1884 raised several), so a callee that fits today may run out of gas later and the call fail.", gas.text()),
                        "Do not hard-code gas; forward what is left and guard against reentrancy instead.",
                    ),
            );
        }
        hits
    }
}
