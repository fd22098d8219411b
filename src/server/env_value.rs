//! Reading one setting from the environment: a number or an on/off switch, with the
//! error that names the variable. Shared by the server settings (`config`) and the history
//! settings (`config::history`), which each read their own variables.

/// A variable with a value it cannot take.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{var} must be {expected}, got `{value}`")]
pub struct SettingError {
    pub var: &'static str,
    pub expected: &'static str,
    pub value: String,
}

/// `var` read through `get` as a number, or `default` when unset.
pub fn number<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: T,
) -> Result<T, SettingError> {
    match get(var) {
        None => Ok(default),
        Some(v) => v.trim().parse().map_err(|_| SettingError {
            var,
            expected: "a non-negative whole number",
            value: v,
        }),
    }
}

/// `var` read through `get` as on (`1`, `true`, `yes`, `on`) or off (`0`, `false`, `no`,
/// `off`), any case, or `default` when unset.
pub fn switch(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: bool,
) -> Result<bool, SettingError> {
    match get(var).map(|v| v.trim().to_ascii_lowercase()) {
        None => Ok(default),
        Some(v) => match v.as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "0" | "false" | "no" | "off" => Ok(false),
            _ => Err(SettingError {
                var,
                expected: "on or off (1 or 0)",
                value: v,
            }),
        },
    }
}
