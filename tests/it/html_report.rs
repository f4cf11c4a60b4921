//! The HTML reports (issue 15): report.html of a run, `<sweep>.html` of a sweep and claim.html
//! are well-formed, self-contained (no script, no external resource), inline the SVG of every
//! plot file written beside them and carry every heading and table of the Markdown report.
//! Snapshots (insta) of summary.md and report.html on a small fixed-seed run guard their
//! layout; every plot is an Okabe-Ito SVG with its reference lines labelled.

use crate::common::*;
use std::path::Path;

/// Elements that never have a closing tag in HTML.
const VOID: [&str; 6] = ["meta", "br", "hr", "img", "link", "input"];

/// Checks that every tag is closed in order (void elements and `<x/>` excepted), attribute
/// quotes are balanced, and no raw '<' or '&' stands in text; returns the element names opened,
/// in document order.
fn well_formed(html: &str) -> Vec<String> {
    let mut stack: Vec<String> = Vec::new();
    let mut opened = Vec::new();
    let bytes = html.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'<' => {
                if html[i..].starts_with("<!--") {
                    i += html[i..].find("-->").expect("unclosed comment") + 3;
                    continue;
                }
                if html[i..].starts_with("<!DOCTYPE") {
                    i += html[i..].find('>').unwrap() + 1;
                    continue;
                }
                // The tag ends at the first '>' outside quotes.
                let mut j = i + 1;
                let mut quote: Option<u8> = None;
                while j < bytes.len() {
                    match (quote, bytes[j]) {
                        (None, b'"') | (None, b'\'') => quote = Some(bytes[j]),
                        (Some(q), c) if c == q => quote = None,
                        (None, b'>') => break,
                        _ => {}
                    }
                    j += 1;
                }
                assert!(j < bytes.len(), "unterminated tag at byte {i}");
                let tag = &html[i + 1..j];
                let self_closing = tag.ends_with('/');
                let tag = tag.trim_end_matches('/');
                let name: String = tag
                    .trim_start_matches('/')
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == ':')
                    .collect::<String>()
                    .to_ascii_lowercase();
                assert!(!name.is_empty(), "empty tag at byte {i}: {tag:?}");
                if tag.starts_with('/') {
                    let top = stack.pop().unwrap_or_default();
                    assert_eq!(
                        top,
                        name,
                        "</{name}> closes <{top}> at byte {i}: {}",
                        &html[i.saturating_sub(200)..(i + 50).min(html.len())]
                    );
                } else {
                    opened.push(name.clone());
                    if !self_closing && !VOID.contains(&name.as_str()) {
                        stack.push(name.clone());
                    }
                    // Style content is CSS, not markup.
                    if name == "style" {
                        let end = html[j..].find("</style>").expect("unclosed style");
                        j += end - 1;
                    }
                }
                i = j + 1;
            }
            b'&' => {
                let end = html[i..].find(';').expect("'&' without ';'");
                let entity = &html[i + 1..i + end];
                assert!(
                    entity.starts_with('#') || entity.chars().all(|c| c.is_ascii_alphanumeric()),
                    "raw '&' at byte {i}"
                );
                assert!(end < 12, "raw '&' at byte {i}");
                i += end + 1;
            }
            _ => i += 1,
        }
    }
    assert!(stack.is_empty(), "unclosed elements: {stack:?}");
    opened
}

/// The checks every HTML report passes: well-formed, one document, self-contained, printable.
fn check_page(html: &str) -> Vec<String> {
    let opened = well_formed(html);
    assert!(html.starts_with("<!DOCTYPE html>"));
    for name in ["html", "head", "body", "title", "style", "main"] {
        assert_eq!(
            opened.iter().filter(|n| *n == name).count(),
            1,
            "exactly one <{name}>"
        );
    }
    for forbidden in [
        "<script", "<link", "<img", "<iframe", "src=", "url(", "@import",
    ] {
        assert!(!html.contains(forbidden), "the page contains {forbidden}");
    }
    // No resource is fetched: the only URLs are the SVG namespace.
    for (i, _) in html.match_indices("http") {
        assert!(
            html[i..].starts_with("http://www.w3.org/2000/svg"),
            "external reference: {}",
            &html[i..(i + 60).min(html.len())]
        );
    }
    assert!(html.contains("@media print"));
    opened
}

/// Every plot file written in `dir` (matching `prefix`) is inlined in the page, in full.
fn plots_inlined(dir: &Path, prefix: &str, html: &str) -> usize {
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with(prefix) && name.ends_with(".svg") {
            let svg = std::fs::read_to_string(&path).unwrap();
            assert!(
                html.contains(svg.trim()),
                "{name} is not inlined in the page"
            );
            n += 1;
        }
    }
    n
}

/// Every heading and every table of the Markdown is in the page: headings as text of h1-h6,
/// tables by their number and header cells.
fn markdown_carried(md: &str, html: &str, opened: &[String]) {
    for line in md.lines() {
        if let Some(h) = line.strip_prefix("## ").or_else(|| line.strip_prefix("# ")) {
            let escaped = h
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            let escaped = escaped.replace('"', "&quot;").replace('\'', "&#39;");
            assert!(
                html.contains(&format!("\">{escaped}</h")),
                "heading {h:?} missing"
            );
        }
    }
    let lines: Vec<&str> = md.lines().collect();
    let tables = lines
        .windows(2)
        .filter(|w| w[1].starts_with("|---"))
        .map(|w| w[0])
        .collect::<Vec<_>>();
    assert_eq!(
        opened.iter().filter(|n| *n == "table").count(),
        tables.len(),
        "one <table> per Markdown table"
    );
    for header in tables {
        for cell in header.trim_matches('|').split('|') {
            let cell = cell.trim().replace('&', "&amp;").replace('<', "&lt;");
            assert!(
                html.contains(&format!("<th>{cell}</th>")),
                "header cell {cell:?} missing"
            );
        }
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn a_runs_report_html_carries_its_tables_and_plots() {
    let out = tempfile::tempdir().unwrap();
    run_cli(
        &["run", "configs/williams2018.toml", "--replicates", "2000"],
        out.path(),
    );
    let dir = out.path().join("williams2018");
    let html = read(&dir.join("report.html"));
    let md = read(&dir.join("summary.md"));
    let opened = check_page(&html);
    markdown_carried(&md, &html, &opened);
    // A design with an interim look has a boundary plot, a responder endpoint a distribution.
    assert_eq!(plots_inlined(&dir, "", &html), 2);
    for plot in ["boundaries.svg", "responders.svg"] {
        assert!(
            md.contains(&format!("![{plot}]({plot})")),
            "summary.md lacks {plot}"
        );
    }
    // The resolved config and the reproducing command.
    assert!(html.contains("<pre><code class=\"language-toml\">name = &quot;williams2018&quot;"));
    assert!(html.contains(
        "<code>crossover-sim run configs/williams2018.toml --seed 20181205 --replicates 2000</code>"
    ));
}

#[test]
fn a_fixed_design_without_responders_has_no_plot_and_still_a_report() {
    let out = tempfile::tempdir().unwrap();
    run_cli(
        &[
            "run",
            "configs/validation/paired_d05_n15.toml",
            "--replicates",
            "500",
        ],
        out.path(),
    );
    let dir = out.path().join("paired_d05_n15");
    let html = read(&dir.join("report.html"));
    let opened = check_page(&html);
    markdown_carried(&read(&dir.join("summary.md")), &html, &opened);
    assert_eq!(plots_inlined(&dir, "", &html), 0);
    assert!(!opened.contains(&"svg".to_string()));
}

#[test]
fn a_sweeps_html_carries_its_table_and_plots() {
    let out = tempfile::tempdir().unwrap();
    run_cli(
        &[
            "sweep",
            "configs/validation/gs_d05_n30.toml",
            "--param",
            "design.enrolled",
            "--values",
            "20,24,28",
            "--param2",
            "population.correlation",
            "--values2",
            "0.2,0.5",
            "--target-power",
            "0.8",
            "--replicates",
            "300",
        ],
        out.path(),
    );
    let dir = out.path().join("gs_d05_n30");
    let stem = "sweep-design.enrolled-population.correlation";
    let html = read(&dir.join(format!("{stem}.html")));
    let opened = check_page(&html);
    // Grid, power, stopping early and expected N.
    assert_eq!(plots_inlined(&dir, stem, &html), 4);
    assert_eq!(opened.iter().filter(|n| *n == "table").count(), 1);
    // The table is headed by the swept keys, one row per grid point.
    assert!(html.contains("<th>design.enrolled</th><th>population.correlation</th>"));
    assert_eq!(html.matches("<tr><td>").count(), 6);
    assert!(html.contains("--param design.enrolled --values 20,24,28"));
    // Axis titles in words and whole numbers for the enrollment.
    let power = read(&dir.join(format!("{stem}-power.svg")));
    assert!(power.contains("participants enrolled"));
    assert!(
        power.contains(">\n24\n<") || power.contains(">24<"),
        "24 as a tick label"
    );
    assert!(!power.contains(">\n24.0\n<") && !power.contains(">24.0<"));
    assert!(power.contains("target 80%") && power.contains("α = 0.05"));
    assert!(power.contains("within-participant correlation = 0.2"));
}

#[test]
fn snapshot_of_summary_md_and_report_html() {
    let out = tempfile::tempdir().unwrap();
    run_cli(
        &[
            "run",
            "configs/williams2018.toml",
            "--replicates",
            "300",
            "--seed",
            "15",
        ],
        out.path(),
    );
    let dir = out.path().join("williams2018");
    let version = env!("CARGO_PKG_VERSION");
    let timing = |text: &str| -> String {
        text.lines()
            .map(|l| {
                if l.contains("Timing: ") {
                    "Timing: (varies)".to_string()
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
            .replace(version, "VERSION")
    };
    insta::assert_snapshot!("summary_md", timing(&read(&dir.join("summary.md"))));
    // The page without the plots' SVG (their pixels are not layout) and the style sheet.
    let html = timing(&read(&dir.join("report.html")));
    let mut page = String::new();
    let mut rest = html.as_str();
    while let Some(start) = rest.find("<svg") {
        page.push_str(&rest[..start]);
        page.push_str("<svg>…</svg>");
        let end = rest[start..].find("</svg>").unwrap() + start + "</svg>".len();
        rest = &rest[end..];
    }
    page.push_str(rest);
    let start = page.find("<style>").unwrap();
    let end = page.find("</style>").unwrap();
    page.replace_range(start..end, "<style>…");
    insta::assert_snapshot!("report_html", page);
}
