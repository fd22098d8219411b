//! A small model of compiler version constraints (`^0.4.24`, `>=0.6.0 <0.9.0`), so detectors
//! can ask a pragma questions such as "is this certainly compiled before 0.8?".

/// A version triple.
pub(crate) type Version = (u64, u64, u64);

/// The versions one `||` alternative of a constraint allows: `lo` inclusive, `hi` exclusive
/// (`None`: no upper bound).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct VersionRange {
    pub lo: Version,
    pub hi: Option<Version>,
}

/// Parses an npm-style constraint as solc and Vyper use them (`^0.8.0`, `>=0.6.0 <0.9.0`,
/// `0.4.0 - 0.5.0`, `*`, `||`), plus PEP 440's `==` and `~=` for Vyper. `None` when any part
/// is not understood, so callers stay silent rather than guess.
pub(crate) fn parse_constraint(constraint: &str) -> Option<Vec<VersionRange>> {
    constraint.split("||").map(parse_alternative).collect()
}

/// Whether every version the constraint allows is below `limit` (false if unparseable).
pub(crate) fn all_below(constraint: &str, limit: Version) -> bool {
    parse_constraint(constraint).is_some_and(|alts| {
        alts.iter()
            .all(|r| r.hi.is_some_and(|h| h <= limit || r.lo >= h))
    })
}

/// Whether some version the constraint allows is below `limit` (false if unparseable).
pub(crate) fn allows_below(constraint: &str, limit: Version) -> bool {
    parse_constraint(constraint).is_some_and(|alts| {
        alts.iter()
            .any(|r| r.lo < limit && r.hi.is_none_or(|h| r.lo < h))
    })
}

/// A single exact version: `0.8.19`, `=0.8.19`, `==0.3.10`.
pub(crate) fn is_pinned(constraint: &str) -> bool {
    let v = constraint.trim().trim_start_matches('=').trim();
    v.split('.').count() == 3
        && v.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

fn parse_alternative(alt: &str) -> Option<VersionRange> {
    // Tokens: (operator, version); a lone `-` between two versions is a hyphen range.
    let mut tokens: Vec<(&str, &str)> = Vec::new();
    let b = alt.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let op_len = b[i..].iter().take_while(|c| b"^~<>=".contains(c)).count();
        if op_len == 0 && b[i] == b'-' {
            tokens.push(("-", ""));
            i += 1;
            continue;
        }
        let j = skip_spaces(b, i + op_len);
        let ver_len = b[j..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'.' || **c == b'*')
            .count();
        if ver_len == 0 {
            return None;
        }
        tokens.push((&alt[i..i + op_len], &alt[j..j + ver_len]));
        i = j + ver_len;
    }
    let mut range = VersionRange {
        lo: (0, 0, 0),
        hi: None,
    };
    let mut k = 0;
    while k < tokens.len() {
        let part = match tokens.get(k..k + 3) {
            Some([("", a), ("-", _), ("", z)]) => {
                k += 3;
                let (lo, _) = parse_version(a)?;
                let (hi, given) = parse_version(z)?;
                VersionRange {
                    lo,
                    hi: bump(hi, given),
                }
            }
            _ => {
                let (op, v) = tokens[k];
                k += 1;
                comparator(op, v)?
            }
        };
        range.lo = range.lo.max(part.lo);
        range.hi = match (range.hi, part.hi) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    (!tokens.is_empty()).then_some(range)
}

fn skip_spaces(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

/// A version with up to three numeric parts; `x`, `X`, `*` or missing parts are wildcards.
/// Returns the version (wildcards as 0) and how many parts were given.
fn parse_version(s: &str) -> Option<(Version, usize)> {
    let mut nums = [0u64; 3];
    let mut given = 0;
    for part in s.split('.') {
        if matches!(part, "x" | "X" | "*") {
            break;
        }
        *nums.get_mut(given)? = part.parse().ok()?;
        given += 1;
    }
    Some(((nums[0], nums[1], nums[2]), given))
}

/// The first version after all those matching a partial version (`None`: no such bound).
fn bump(v: Version, given: usize) -> Option<Version> {
    match given {
        0 => None,
        1 => Some((v.0 + 1, 0, 0)),
        2 => Some((v.0, v.1 + 1, 0)),
        _ => Some((v.0, v.1, v.2 + 1)),
    }
}

fn comparator(op: &str, v: &str) -> Option<VersionRange> {
    let (v, given) = parse_version(v)?;
    let zero = (0, 0, 0);
    let range = |lo, hi| Some(VersionRange { lo, hi });
    match op {
        "" | "=" | "==" => range(v, bump(v, given)),
        "^" if v.0 > 0 || given == 1 => range(v, Some((v.0 + 1, 0, 0))),
        "^" if v.1 > 0 || given == 2 => range(v, Some((0, v.1 + 1, 0))),
        "^" => range(v, bump(v, given)),
        "~" if given >= 2 => range(v, Some((v.0, v.1 + 1, 0))),
        "~=" if given >= 3 => range(v, Some((v.0, v.1 + 1, 0))),
        "~" | "~=" => range(v, bump(v, given.min(1))),
        ">=" => range(v, None),
        ">" => range(bump(v, given)?, None),
        "<" => range(zero, Some(v)),
        "<=" => range(zero, bump(v, given)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraints_become_ranges() {
        let r = |c: &str| parse_constraint(c).unwrap();
        assert_eq!(
            r("^0.4.24"),
            [VersionRange {
                lo: (0, 4, 24),
                hi: Some((0, 5, 0))
            }]
        );
        assert_eq!(r("^1.2.3")[0].hi, Some((2, 0, 0)));
        assert_eq!(
            r(">=0.6.0 <0.9.0"),
            [VersionRange {
                lo: (0, 6, 0),
                hi: Some((0, 9, 0))
            }]
        );
        assert_eq!(
            r(">= 0.4.0"),
            [VersionRange {
                lo: (0, 4, 0),
                hi: None
            }]
        );
        assert_eq!(
            r("0.4.0 - 0.5.2"),
            [VersionRange {
                lo: (0, 4, 0),
                hi: Some((0, 5, 3))
            }]
        );
        assert_eq!(
            r("0.8"),
            [VersionRange {
                lo: (0, 8, 0),
                hi: Some((0, 9, 0))
            }]
        );
        assert_eq!(
            r("*"),
            [VersionRange {
                lo: (0, 0, 0),
                hi: None
            }]
        );
        assert_eq!(r("~=0.4.0")[0].hi, Some((0, 5, 0)));
        assert_eq!(r("^0.4.0 || ^0.8.0").len(), 2);
        assert_eq!(parse_constraint("latest"), None);
    }

    #[test]
    fn below_questions() {
        assert!(all_below("^0.4.19", (0, 8, 0)));
        assert!(all_below("0.7.6", (0, 8, 0)));
        assert!(all_below(">=0.6.0 <0.8.0", (0, 8, 0)));
        assert!(!all_below(">=0.4.0", (0, 8, 0)));
        assert!(!all_below("^0.7.0 || ^0.8.0", (0, 8, 0)));
        assert!(!all_below("nonsense", (0, 8, 0)));
        assert!(allows_below("^0.4.15", (0, 5, 0)));
        assert!(allows_below(">=0.4.0 <0.9.0", (0, 5, 0)));
        assert!(!allows_below("0.8.19", (0, 5, 0)));
    }
}
