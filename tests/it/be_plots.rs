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
