//! The registry: one file per detector, one line per detector in `all()`. Adding a check
//! touches its file and this list, nothing else.

mod arbitrary_send;
mod array_length;
mod assert_violation;
mod calls_in_loop;
mod constructor_name;
mod default_visibility;
mod delegatecall;
mod deprecated;
mod flow;
mod front_running;
mod hardcoded_gas;
mod integer_overflow;
mod no_effect;
mod pragma;
mod reach;
mod reentrancy;
mod reentrancy_gas_limited;
mod rtlo;
mod selfdestruct;
mod shadowing;
mod strict_balance;
mod timestamp;
mod tx_origin;
mod typo_assignment;
mod unbounded_loop;
mod unchecked_call;
mod uninitialized_storage;
mod unused_variable;
mod vyper;
mod weak_randomness;

use super::Detector;

/// Every detector, in a stable order.
pub fn all() -> Vec<Box<dyn Detector>> {
    vec![
        Box::new(reentrancy::Reentrancy),
        Box::new(reentrancy_gas_limited::ReentrancyGasLimited),
        Box::new(unchecked_call::UncheckedCall),
        Box::new(tx_origin::TxOrigin),
        Box::new(selfdestruct::Selfdestruct),
        Box::new(arbitrary_send::ArbitrarySend),
        Box::new(delegatecall::Delegatecall),
        Box::new(constructor_name::ConstructorName),
        Box::new(integer_overflow::IntegerOverflow),
        Box::new(weak_randomness::WeakRandomness),
        Box::new(timestamp::Timestamp),
        Box::new(calls_in_loop::CallsInLoop),
        Box::new(unbounded_loop::UnboundedLoop),
        Box::new(uninitialized_storage::UninitializedStorage),
        Box::new(front_running::FrontRunning),
        Box::new(array_length::ArrayLengthWrite),
        Box::new(pragma::FloatingPragma),
        Box::new(pragma::OutdatedCompiler),
        Box::new(deprecated::Deprecated),
        Box::new(default_visibility::DefaultVisibility),
        Box::new(strict_balance::StrictBalance),
        Box::new(typo_assignment::TypoAssignment),
        Box::new(no_effect::NoEffect),
        Box::new(rtlo::RightToLeftOverride),
        Box::new(assert_violation::AssertViolation),
        Box::new(shadowing::Shadowing),
        Box::new(hardcoded_gas::HardcodedGas),
        Box::new(unused_variable::UnusedVariable),
        Box::new(vyper::VyperSelfdestruct),
        Box::new(vyper::VyperUncheckedSend),
    ]
}
