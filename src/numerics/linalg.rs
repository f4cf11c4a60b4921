//! Small dense linear algebra: Cholesky factors of a correlation matrix and of the linear
//! model's normal matrix, and the solve, in place without allocation.

/// Lower Cholesky factor L (row-major, k x k) of a symmetric positive semidefinite matrix, with
/// A = L L'; `None` when the matrix is not positive semidefinite. A zero pivot (a variable that
/// is an exact linear combination of earlier ones, e.g. correlation 1) gives a zero column.
pub fn cholesky(a: &[f64], k: usize) -> Option<Vec<f64>> {
    const TOLERANCE: f64 = 1e-12;
    let mut l = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..=i {
            let mut sum = a[i * k + j];
            for m in 0..j {
                sum -= l[i * k + m] * l[j * k + m];
            }
            if i == j {
                if sum.is_nan() || sum < -TOLERANCE {
                    return None;
                }
                l[i * k + i] = if sum <= TOLERANCE { 0.0 } else { sum.sqrt() };
            } else if l[j * k + j] == 0.0 {
                // A dependent variable: the remaining entry must vanish for A to be PSD.
                if sum.abs() > 1e-9 {
                    return None;
                }
                l[i * k + j] = 0.0;
            } else {
                l[i * k + j] = sum / l[j * k + j];
            }
        }
    }
    Some(l)
}

/// Lower Cholesky factor of the positive definite `a` (row-major, q x q) into `l`, allocating
/// nothing; false when `a` is not positive definite relative to its own scale (a pivot below
/// 1e-10 times the largest diagonal entry), so that a column of zeros or an aliased column of a
/// design matrix counts as singular. [`cholesky`] is the semidefinite variant for correlations.
pub fn cholesky_definite_into(a: &[f64], l: &mut [f64], q: usize) -> bool {
    let scale = (0..q)
        .map(|i| a[i * q + i])
        .fold(0.0f64, f64::max)
        .max(1e-300);
    for i in 0..q {
        for j in 0..=i {
            let mut sum = a[i * q + j];
            for m in 0..j {
                sum -= l[i * q + m] * l[j * q + m];
            }
            if i == j {
                if sum.is_nan() || sum <= 1e-10 * scale {
                    return false;
                }
                l[i * q + i] = sum.sqrt();
            } else {
                l[i * q + j] = sum / l[j * q + j];
            }
        }
    }
    true
}

/// Solves L L' x = b in place, for the factor L of [`cholesky_definite_into`] (row-major,
/// q x q); `x` holds b on entry and x on return. Allocates nothing (the linear model calls it per
/// replicate).
pub fn cholesky_solve(l: &[f64], x: &mut [f64], q: usize) {
    for i in 0..q {
        let mut s = x[i];
        for m in 0..i {
            s -= l[i * q + m] * x[m];
        }
        x[i] = s / l[i * q + i];
    }
    for i in (0..q).rev() {
        let mut s = x[i];
        for m in i + 1..q {
            s -= l[m * q + i] * x[m];
        }
        x[i] = s / l[i * q + i];
    }
}

/// Least-squares solve of the normal equations A x = b for a symmetric positive semidefinite
/// `a` (row-major, q x q) that may be singular, in place: `l` receives a Cholesky factor in
/// which a pivot below 1e-10 times the largest diagonal entry (a column that is a linear
/// combination of earlier ones) is a zero column, and `x` (b on entry) the solution with those
/// columns' coefficients set to 0. The fitted values X x are the projection onto the column
/// space whichever columns were dropped. Returns the rank. Allocates nothing.
pub fn solve_semidefinite(a: &[f64], l: &mut [f64], x: &mut [f64], q: usize) -> usize {
    let scale = (0..q)
        .map(|i| a[i * q + i])
        .fold(0.0f64, f64::max)
        .max(1e-300);
    let mut rank = 0;
    for i in 0..q {
        for j in 0..=i {
            let mut sum = a[i * q + j];
            for m in 0..j {
                sum -= l[i * q + m] * l[j * q + m];
            }
            if i == j {
                if sum > 1e-10 * scale {
                    l[i * q + i] = sum.sqrt();
                    rank += 1;
                } else {
                    l[i * q + i] = 0.0;
                }
            } else {
                let d = l[j * q + j];
                l[i * q + j] = if d == 0.0 { 0.0 } else { sum / d };
            }
        }
    }
    for i in 0..q {
        let d = l[i * q + i];
        if d == 0.0 {
            x[i] = 0.0;
            continue;
        }
        let mut s = x[i];
        for m in 0..i {
            s -= l[i * q + m] * x[m];
        }
        x[i] = s / d;
    }
    for i in (0..q).rev() {
        let d = l[i * q + i];
        if d == 0.0 {
            x[i] = 0.0;
            continue;
        }
        let mut s = x[i];
        for m in i + 1..q {
            s -= l[m * q + i] * x[m];
        }
        x[i] = s / d;
    }
    rank
}

#[cfg(test)]
mod semidefinite_tests {
    use super::solve_semidefinite;

    /// X = [[1, 1, 2], [1, 0, 1], [0, 1, 1], [1, 1, 2]]: the third column is the sum of the
    /// first two, so X'X is singular with rank 2. y = (1, 2, 3, 5). Dropping the third column,
    /// numpy.linalg.lstsq on the first two columns (R: lm(y ~ 0 + x1 + x2)) gives x1 = 1.2,
    /// x2 = 2.2 (the normal equations 3 x1 + 2 x2 = 8, 2 x1 + 3 x2 = 9, solved by hand).
    #[test]
    fn a_singular_normal_matrix_is_solved_on_its_independent_columns() {
        let x = [
            [1.0, 1.0, 2.0],
            [1.0, 0.0, 1.0],
            [0.0, 1.0, 1.0],
            [1.0, 1.0, 2.0],
        ];
        let y = [1.0, 2.0, 3.0, 5.0];
        let mut a = [0.0; 9];
        let mut b = [0.0; 3];
        for (row, &yi) in x.iter().zip(&y) {
            for i in 0..3 {
                b[i] += row[i] * yi;
                for j in 0..3 {
                    a[i * 3 + j] += row[i] * row[j];
                }
            }
        }
        let mut l = [0.0; 9];
        let rank = solve_semidefinite(&a, &mut l, &mut b, 3);
        assert_eq!(rank, 2);
        assert!(
            (b[0] - 1.2).abs() < 1e-12 && (b[1] - 2.2).abs() < 1e-12 && b[2] == 0.0,
            "{b:?}"
        );
    }
}
