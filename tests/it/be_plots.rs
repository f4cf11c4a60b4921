//! Plots of bioequivalence sweeps and plot text in the HTML pages (issue 23, defect 21): a GMR
//! sweep draws the exact power curve its table prints, its x-axis is named in words, and the
//! pages draw every plot at the content width, so that no plot text is smaller than 15 px.

use crate::common::*;

#[test]
fn gmr_sweep_draws_its_exact_power_curve() {
    let out = tempfile::tempdir().unwrap();
    crossover_sim()
        .current_dir(crate_path(""))
        .args(["sweep", "configs/bioequivalence/abe_2x2.toml", "--quiet"])
        .args(["--param", "log_normal.gmr.T", "--values", "0.9,0.95,1.0"])
        .args(["--replicates", "300"])
        .arg("--out")
        .arg(out.path())
        .assert()
        .success();
    let dir = out.path().join("abe_2x2");
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("sweep-log_normal.gmr.T.json")).unwrap(),
    )
    .unwrap();
    assert!(json["points"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["exact_power"].is_number()));
    let svg = std::fs::read_to_string(dir.join("sweep-log_normal.gmr.T-power.svg")).unwrap();
    assert!(svg.contains("exact power"), "no exact curve in\n{svg}");
    assert!(svg.contains("simulated power"));
    assert!(svg.contains("true GMR of T (test/reference)"));
    assert!(!svg.contains("log_normal.gmr.T"), "raw key on the plot");
    // The HTML page draws the plot at the content width (1100 px less padding, from 900 px):
    // its smallest text, 13 px in the SVG, shows at 15 px or more.
    let html = std::fs::read_to_string(dir.join("sweep-log_normal.gmr.T.html")).unwrap();
    assert!(html.contains("figure svg { width: 100%;"));
    assert!(html.contains("main { max-width: 1100px;"));
    let smallest = html
        .split("font-size=\"")
        .skip(1)
        .filter_map(|t| {
            t.split('"')
                .next()?
                .trim_end_matches("px")
                .parse::<f64>()
                .ok()
        })
        .fold(f64::INFINITY, f64::min);
    assert!(smallest.is_finite(), "no SVG text found");
    assert!(smallest * (1100.0 - 48.0) / 900.0 >= 15.0, "{smallest}");
}

/// A single bioequivalence run draws power-curve.svg: the exact power by true ratio, with the
/// simulated point. configs/bioequivalence/abe_2x2x4.toml (N = 24): its formula's SE is
/// 0.05992276147990161 on 68 df (summary.json's closed_form). The reference is an independent
/// integral in SciPy 1.17: with d = ln(ratio), a = (ln 1.25 - d)/se, b = (ln 0.8 - d)/se,
/// t = stats.t.ppf(0.95, 68), integrate.quad over s in (0, (a - b)/(2t)) of
/// (norm.cdf(a - t s) - norm.cdf(b + t s)) * chi2.pdf(68 s^2, 68) * 2 * 68 s
/// (epsabs 1e-13) gives 0.9416853418092462 at ratio 1.025 and 0.8818840270662299 at 0.95.
#[test]
fn a_bioequivalence_run_draws_its_exact_power_curve() {
    let out = tempfile::tempdir().unwrap();
    run_cli(
        &[
            "run",
            "configs/bioequivalence/abe_2x2x4.toml",
            "--replicates",
            "2000",
        ],
        out.path(),
    );
    let dir = out.path().join("abe_2x2x4");
    let summary = json(&dir.join("summary.json"));
    let closed = &summary["closed_form"];
    assert!((closed["power"].as_f64().unwrap() - 0.8818840270662299).abs() < 1e-9);
    let curve = closed["power_curve"].as_array().unwrap();
    assert_eq!(curve.len(), 81);
    let ratio = |i: usize| curve[i]["true_ratio"].as_f64().unwrap();
    let power = |i: usize| curve[i]["power"].as_f64().unwrap();
    assert!((ratio(0) - 0.75).abs() < 1e-12 && (ratio(80) - 1.30).abs() < 1e-12);
    assert!((ratio(40) - 1.025).abs() < 1e-12);
    assert!(
        (power(40) - 0.9416853418092462).abs() < 1e-9,
        "{}",
        power(40)
    );
    // The limits are symmetric on the log scale: the power peaks at the grid point nearest 1.
    let peak = (0..81)
        .max_by(|&i, &j| power(i).total_cmp(&power(j)))
        .unwrap();
    let nearest_one = (0..81)
        .min_by(|&i, &j| (ratio(i) - 1.0).abs().total_cmp(&(ratio(j) - 1.0).abs()))
        .unwrap();
    assert_eq!(peak, nearest_one);
    let svg = std::fs::read_to_string(dir.join("power-curve.svg")).unwrap();
    for text in [
        "exact power",
        "simulated, 2000 replicates",
        "limit 0.8",
        "limit 1.25",
    ] {
        assert!(svg.contains(text), "{text} missing from power-curve.svg");
    }
    let md = std::fs::read_to_string(dir.join("summary.md")).unwrap();
    assert!(md.contains("![power-curve.svg](power-curve.svg)"));
    // Designs that are not bioequivalence on a ratio endpoint have no curve.
    run_cli(
        &[
            "run",
            "configs/designs/design_2x2.toml",
            "--replicates",
            "500",
        ],
        out.path(),
    );
    let other = json(&out.path().join("design_2x2").join("summary.json"));
    assert!(other["closed_form"].get("power_curve").is_none());
    assert!(!out
        .path()
        .join("design_2x2")
        .join("power-curve.svg")
        .exists());
}
