//! Named crossover designs (the names bioequivalence statisticians use) and the Williams
//! construction for any number of conditions.

/// A named design: its name, the number of conditions it is for (`None`: any, as the Williams
/// construction) and its sequences over A, B, ... (empty for a construction).
#[derive(Debug)]
pub struct Preset {
    /// The name `design.preset` and `init --design` accept.
    pub name: &'static str,
    /// The number of conditions (`None`: any number).
    pub conditions: Option<usize>,
    /// The sequences, as letters (the Williams construction has none listed).
    sequences: &'static [&'static str],
}

/// Every named design, in the order messages list them: the one table of presets.
pub static PRESETS: [Preset; 10] = [
    fixed("2x2", 2, &["AB", "BA"]),
    fixed("3x3", 3, &["ABC", "BCA", "CAB"]),
    fixed("3x6x3", 3, &["ABC", "ACB", "BAC", "BCA", "CAB", "CBA"]),
    fixed("4x4", 4, &["ABCD", "BDAC", "CADB", "DCBA"]),
    Preset {
        name: "williams",
        conditions: None,
        sequences: &[],
    },
    fixed("2x2x3", 2, &["ABA", "BAB"]),
    fixed("2x2x4", 2, &["ABAB", "BABA"]),
    fixed("2x3x3", 2, &["ABB", "BAB", "BBA"]),
    fixed("2x4x4", 2, &["ABAB", "BABA", "ABBA", "BAAB"]),
    fixed("2x4x2", 2, &["AB", "BA", "AA", "BB"]),
];

const fn fixed(
    name: &'static str,
    conditions: usize,
    sequences: &'static [&'static str],
) -> Preset {
    Preset {
        name,
        conditions: Some(conditions),
        sequences,
    }
}

/// The preset names `design.preset` accepts, in table order.
pub fn preset_names() -> Vec<&'static str> {
    PRESETS.iter().map(|p| p.name).collect()
}

/// The preset of that name.
pub fn preset(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

/// The sequences of a named design for `conditions` conditions, or why the name does not fit.
pub fn preset_sequences(name: &str, conditions: usize) -> Result<Vec<String>, String> {
    let Some(p) = preset(name) else {
        return Err(format!(
            "is not a named design; the names are {}",
            preset_names().join(", ")
        ));
    };
    match p.conditions {
        None => Ok(williams_sequences(conditions)),
        Some(needed) if needed != conditions => Err(format!(
            "is a design for {needed} conditions, but design.conditions lists {conditions}"
        )),
        Some(_) => Ok(p.sequences.iter().map(|s| s.to_string()).collect()),
    }
}

/// The Williams design for `k` conditions: k sequences for even k, 2k for odd k (the square
/// and its mirror image), each ordered pair of distinct conditions following each other equally
/// often, so that the design is balanced for first-order carryover.
pub fn williams_sequences(k: usize) -> Vec<String> {
    if k < 2 {
        return Vec::new();
    }
    // First row 0, 1, k-1, 2, k-2, ...; row r adds r modulo k.
    let mut first = Vec::with_capacity(k);
    let (mut low, mut high) = (0usize, k);
    for j in 0..k {
        if j % 2 == 0 {
            first.push(low);
            low += 1;
        } else {
            high -= 1;
            first.push(high);
        }
    }
    let letter = |c: usize| (b'A' + c as u8) as char;
    let mut rows: Vec<String> = (0..k)
        .map(|r| first.iter().map(|&c| letter((c + r) % k)).collect())
        .collect();
    if k % 2 == 1 {
        let mirrored: Vec<String> = rows.iter().map(|s| s.chars().rev().collect()).collect();
        rows.extend(mirrored);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each ordered pair of distinct conditions follows each other equally often, and each
    /// condition appears equally often in each period.
    fn is_williams(rows: &[String], k: usize) -> bool {
        let mut follows = vec![vec![0usize; k]; k];
        let mut in_period = vec![vec![0usize; k]; k];
        for r in rows {
            let c: Vec<usize> = r.bytes().map(|b| (b - b'A') as usize).collect();
            for (p, &x) in c.iter().enumerate() {
                in_period[p][x] += 1;
            }
            for w in c.windows(2) {
                follows[w[0]][w[1]] += 1;
            }
        }
        let f = follows[0][1];
        let q = in_period[0][0];
        (0..k).all(|a| (0..k).all(|b| a == b || follows[a][b] == f))
            && in_period.iter().all(|row| row.iter().all(|&n| n == q))
    }

    #[test]
    fn williams_designs_are_balanced_for_first_order_carryover() {
        for k in 2..=8 {
            let rows = williams_sequences(k);
            assert_eq!(rows.len(), if k % 2 == 0 { k } else { 2 * k });
            assert!(is_williams(&rows, k), "k = {k}: {rows:?}");
        }
        assert!(is_williams(&preset_sequences("4x4", 4).unwrap(), 4));
        assert!(is_williams(&preset_sequences("3x6x3", 3).unwrap(), 3));
    }

    /// Each listed design uses exactly its number of conditions, in sequences of one length,
    /// and its name says so (`KxSxP`: K conditions, S sequences, P periods; `KxK`: a square).
    #[test]
    fn each_preset_matches_its_name() {
        for p in PRESETS.iter().filter(|p| p.conditions.is_some()) {
            let k = p.conditions.unwrap();
            let letters: std::collections::BTreeSet<char> =
                p.sequences.iter().flat_map(|s| s.chars()).collect();
            assert_eq!(letters.len(), k, "{}", p.name);
            let periods = p.sequences[0].len();
            assert!(p.sequences.iter().all(|s| s.len() == periods), "{}", p.name);
            let parts: Vec<usize> = p.name.split('x').map(|x| x.parse().unwrap()).collect();
            let (conditions, sequences, length) = match parts[..] {
                [c, s, l] => (c, s, l),
                [c, l] => (c, c, l),
                _ => panic!("{}", p.name),
            };
            assert_eq!(
                (conditions, sequences, length),
                (k, p.sequences.len(), periods),
                "{}",
                p.name
            );
        }
    }

    #[test]
    fn presets_check_the_number_of_conditions() {
        assert_eq!(preset_sequences("2x2x4", 2).unwrap(), ["ABAB", "BABA"]);
        assert!(preset_sequences("3x3", 2)
            .unwrap_err()
            .contains("3 conditions"));
        assert!(preset_sequences("5x5", 5)
            .unwrap_err()
            .contains("not a named design"));
    }
}
