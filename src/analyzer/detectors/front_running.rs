//! `front-running` (SWC-114): outcomes that depend on transaction order. An ERC-20 `approve`
//! that overwrites a non-zero allowance lets the spender spend old and new allowance; a
//! payout amount in state that its owner can change while claims are pending lets either
//! side race the other.

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit, conditions};
use crate::analyzer::syntax::{Call, kind};
use crate::report::{Confidence, Severity};

use super::reach::open_entry;

pub struct FrontRunning;

impl Detector for FrontRunning {
    fn id(&self) -> &'static str {
        "front-running"
    }

    fn swc(&self) -> Option<&'static str> {
        Some("SWC-114")
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Hit> {
        let mut hits = Vec::new();
        let s = cx.symbols();
        for f in s.functions() {
            let Some(body) = f.body else { continue };
            if f.name == "approve" && f.params.len() == 2 {
                let overwrite = body.find_all(kind::ASSIGNMENT).into_iter().find(|a| {
                    a.field("left").is_some_and(|l| {
                        l.unwrap().is(kind::INDEX) && l.text().matches('[').count() >= 2
                    })
                });
                let zero_checked = conditions(body)
                    .iter()
                    .any(|c| c.text().contains("== 0") || c.text().contains("==0"));
                if overwrite.is_some() && !zero_checked {
                    hits.push(
                        Hit::new(&f.node, Severity::Low, Confidence::Medium, "ERC-20 `approve` race")
                            .within(Some(f.display_name()))
                            .explain(
                                "`approve` overwrites the allowance. If the owner changes a non-zero allowance, the spender can front-run the change and spend both the old and the new amount.",
                                "Require the allowance to be 0 before setting a new one, or offer `increaseAllowance`/`decreaseAllowance`.",
                            ),
                    );
                }
                continue;
            }
            // A plain state amount paid out somewhere and rewritten here by a payable entry point.
            if !f.is_entry_point() || f.mutability != Some("payable") {
                continue;
            }
            for n in body.descendants() {
                let Some(var) = cx.written_state(&n) else {
                    continue;
                };
                let is_plain = s.state_var(f.contract, var).is_some_and(|v| {
                    !v.type_text.contains("mapping") && !v.type_text.contains('[')
                });
                let paid_elsewhere = is_plain
                    && s.functions()
                        // The race needs someone else to claim: an owner-only payout is not one.
                        .filter(|g| g.node != f.node && g.contract == f.contract)
                        .filter(|g| open_entry(cx, g).is_some())
                        .any(|g| {
                            g.body.is_some_and(|b| {
                                b.find_all(kind::CALL)
                                    .into_iter()
                                    .filter_map(Call::of)
                                    .any(|c| {
                                        c.sends_ether()
                                            && c.arguments()
                                                .iter()
                                                .chain(c.value.iter())
                                                .any(|a| a.text() == var)
                                    })
                            })
                        });
                if paid_elsewhere {
                    hits.push(
                        Hit::new(&f.node, Severity::Medium, Confidence::Low, format!("Payout `{var}` can change while a claim is pending"))
                            .within(Some(f.display_name()))
                            .explain(
                                format!("`{}` changes `{var}`, which another function pays out. Whoever sees the other's transaction in the mempool can get theirs mined first and change what is paid.", f.display_name()),
                                "Fix the amount when the claim is made (commit-reveal), or let claims name the amount they expect.",
                            ),
                    );
                    break;
                }
            }
        }
        hits
    }
}
