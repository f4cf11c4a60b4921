//! Named crossover designs (the names bioequivalence statisticians use) and the Williams
//! construction for any number of conditions.

/// The preset names `design.preset` accepts.
pub const PRESET_NAMES: [&str; 10] = [
    "2x2", "3x3", "3x6x3", "4x4", "williams", "2x2x3", "2x2x4", "2x3x3", "2x4x4", "2x4x2",
];

/// The sequences of a named design for `conditions` conditions, or why the name does not fit.
pub fn preset_sequences(name: &str, conditions: usize) -> Result<Vec<String>, String> {
    let fixed: &[&str] = match name {
        "2x2" => &["AB", "BA"],
        "3x3" => &["ABC", "BCA", "CAB"],
        "3x6x3" => &["ABC", "ACB", "BAC", "BCA", "CAB", "CBA"],
        "4x4" => &["ABCD", "BDAC", "CADB", "DCBA"],
        "2x2x3" => &["ABA", "BAB"],
        "2x2x4" => &["ABAB", "BABA"],
        "2x3x3" => &["ABB", "BAB", "BBA"],
        "2x4x4" => &["ABAB", "BABA", "ABBA", "BAAB"],
        "2x4x2" => &["AB", "BA", "AA", "BB"],
        "williams" => return Ok(williams_sequences(conditions)),
        _ => {
            return Err(format!(
                "is not a named design; the names are {}",
                PRESET_NAMES.join(", ")
            ))
        }
    };
    let needed = if name.starts_with("2x") {
        2
    } else {
        name[..1].parse::<usize>().unwrap_or(0)
    };
    if needed != conditions {
        return Err(format!(
            "is a design for {needed} conditions, but design.conditions lists {conditions}"
        ));
    }
    Ok(fixed.iter().map(|s| s.to_string()).collect())
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
