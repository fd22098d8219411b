//! `front-running` (SWC-114): outcomes that depend on transaction order. An ERC-20 `approve`
//! that overwrites a non-zero allowance lets the spender spend old and new allowance; a
//! payout amount in state that its owner can change while claims are pending lets either
//! side race the other; an answer checked by its hash and rewarded, not bound to the sender,
//! can be copied from the pending transaction.

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit, conditions, is_caller};
use crate::analyzer::symbols::Function;
use crate::analyzer::syntax::{Call, Node, field, kind};
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
            if let Some(cond) = copyable_answer(f) {
                hits.push(
                    Hit::new(&cond, Severity::Medium, Confidence::Medium, format!("Answer in `{}` can be copied from the mempool", f.display_name()))
                        .within(Some(f.display_name()))
                        .explain(
                            format!("`{}` rewards whoever submits an argument whose hash matches (line {}), and the answer is not bound to the sender. The first correct transaction is public while pending: anyone can copy the answer and get theirs mined first with a higher gas price.", f.display_name(), cond.line()),
                            "Bind the answer to the sender (hash it with `msg.sender`) in a commit-reveal scheme: commit the hash first, reveal in a later block.",
                        ),
                );
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

/// A condition of entry point `f` that compares a hash of one of its parameters, after
/// which `f` pays the caller or records them (`winner = msg.sender`): a submitted answer
/// anyone can copy. Not when the answer is bound to the sender (`msg.sender` hashed with it,
/// or compared with a commitment kept per sender).
fn copyable_answer<'t>(f: &Function<'t>) -> Option<Node<'t>> {
    if !f.is_entry_point() {
        return None;
    }
    let body = f.body?;
    let is_param =
        |n: &Node<'_>| n.is(kind::IDENTIFIER) && f.params.iter().any(|(p, _)| *p == n.text());
    let hashes_param = |c: &Node<'_>| {
        c.find_all(kind::CALL)
            .into_iter()
            .filter_map(Call::of)
            .filter(|h| matches!(h.method, "keccak256" | "sha3" | "sha256"))
            .any(|h| h.node.descendants().iter().any(is_param))
    };
    let conds: Vec<Node<'t>> = conditions(body).into_iter().filter(hashes_param).collect();
    let bound = conds.iter().any(|c| c.descendants().iter().any(is_caller));
    let cond = conds.into_iter().next().filter(|_| !bound)?;
    let rewards = body.descendants().into_iter().any(|n| {
        n.start_byte() > cond.start_byte()
            && (Call::of(n).is_some_and(|c| {
                c.sends_ether()
                    && c.target
                        .is_some_and(|t| t.descendants().iter().any(is_caller))
            }) || ((n.is(kind::ASSIGNMENT))
                && n.expr_field(field::RIGHT).is_some_and(|r| is_caller(&r))))
    });
    rewards.then_some(cond)
}
