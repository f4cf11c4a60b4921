//! The self-contained HTML reports (`report.html`, `<sweep>.html`, `claim.html`): one file each,
//! with the plots' SVG inlined, no external resource, no script, printable.
//!
//! Each page is made from the Markdown report of the same results (summary.md, claim.md, a
//! sweep's table), so the two always say the same thing. Only the Markdown this crate writes is
//! understood: `#` headings, paragraphs, pipe tables, `-` lists, fenced code, an image alone on
//! its line (replaced by the SVG of that file), and inline `code`, **bold** and a paragraph in
//! _italics_. Every text is escaped.

use super::RunReport;
use std::fmt::Write;

/// The HTML report of a run: summary.md's content, with `plots` (file name, SVG) inlined where
/// summary.md shows them.
pub fn render_run(r: &RunReport, plots: &[(String, String)]) -> String {
    render_markdown_page(
        &format!("{}: simulation report", r.name),
        &super::markdown::render(r),
        plots,
    )
}

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  line-height: 1.45; color: #1a1a1a; background: #fff; margin: 0; }
main { max-width: 1100px; margin: 0 auto; padding: 1.5rem 1.5rem 3rem; }
h1 { font-size: 1.6rem; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 0.6rem; padding-bottom: 0.2rem; border-bottom: 1px solid #d0d0d0; }
h3 { font-size: 1.05rem; }
p, li { max-width: 75ch; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em;
  background: #f3f3f3; padding: 0.05em 0.3em; border-radius: 3px; overflow-wrap: anywhere; }
pre { background: #f6f6f6; border: 1px solid #e0e0e0; padding: 0.8rem; overflow-x: auto; font-size: 0.85rem; line-height: 1.3; }
pre code { background: none; padding: 0; }
.table { overflow-x: auto; margin: 0.5rem 0 1rem; }
table { border-collapse: collapse; font-size: 0.9rem; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #d0d0d0; padding: 0.3rem 0.55rem; text-align: left; vertical-align: top; }
th { background: #eef2f6; }
tbody tr:nth-child(even) { background: #fafafa; }
figure { margin: 1rem 0 1.5rem; }
figure svg { width: 100%; max-width: 100%; height: auto; display: block; }
figcaption { font-size: 0.85rem; color: #555; margin-top: 0.3rem; }
footer { margin-top: 3rem; font-size: 0.8rem; color: #666; }
@media print {
  main { max-width: none; padding: 0; }
  body { font-size: 10pt; }
  h2 { break-after: avoid; }
  figure, table { break-inside: avoid; }
  .table { overflow: visible; }
  pre { white-space: pre-wrap; overflow-wrap: anywhere; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// A whole page from Markdown written by this crate, with each image line replaced by the SVG of
/// that file from `plots` (file name, SVG).
pub fn render_markdown_page(title: &str, markdown: &str, plots: &[(String, String)]) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"{} {}\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_VERSION"),
        escape(title)
    );
    s.push_str(&markdown_body(markdown, plots));
    let _ = write!(
        s,
        "<footer>Written by {} {}. Self-contained: the plots are inline SVG; nothing is loaded from elsewhere.</footer>\n</main>\n</body>\n</html>\n",
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_VERSION")
    );
    s
}

fn is_table_line(line: &str) -> bool {
    let t = line.trim();
    t.starts_with('|') && t.ends_with('|') && t.len() >= 2
}

fn cells(line: &str) -> Vec<&str> {
    let t = line.trim();
    t[1..t.len() - 1].split('|').map(str::trim).collect()
}

fn is_separator(line: &str) -> bool {
    cells(line)
        .iter()
        .all(|c| !c.is_empty() && c.chars().all(|ch| ch == '-' || ch == ':'))
}

/// `![alt](file)` alone on a line.
fn image(line: &str) -> Option<(&str, &str)> {
    let rest = line.trim().strip_prefix("![")?;
    let (alt, rest) = rest.split_once("](")?;
    let file = rest.strip_suffix(')')?;
    Some((alt, file))
}

/// Heading ids: the text's letters and digits, lowercased, others as '-'.
fn anchor(text: &str) -> String {
    let mut id = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            id.extend(c.to_lowercase());
        } else if !id.ends_with('-') && !id.is_empty() {
            id.push('-');
        }
    }
    id.trim_end_matches('-').to_string()
}

/// The plotters SVG as inline markup: its root element, without an XML declaration.
fn inline_svg(svg: &str) -> &str {
    let svg = svg.trim();
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

/// The body of a page: the Markdown's blocks as HTML.
pub fn markdown_body(markdown: &str, plots: &[(String, String)]) -> String {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut s = String::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let t = line.trim();
        if t.is_empty() {
            i += 1;
        } else if let Some(fence) = t.strip_prefix("```") {
            let lang = fence.trim();
            let mut body = String::new();
            i += 1;
            while i < lines.len() && !lines[i].trim().starts_with("```") {
                body.push_str(lines[i]);
                body.push('\n');
                i += 1;
            }
            i += 1;
            let class = if lang.is_empty() {
                String::new()
            } else {
                format!(" class=\"language-{}\"", escape(lang))
            };
            let _ = writeln!(s, "<pre><code{class}>{}</code></pre>", escape(&body));
        } else if t.starts_with('#') {
            let level = t.chars().take_while(|c| *c == '#').count().min(6);
            let text = t[level..].trim();
            let _ = writeln!(
                s,
                "<h{level} id=\"{}\">{}</h{level}>",
                anchor(text),
                inline(text)
            );
            i += 1;
        } else if is_table_line(t) {
            let start = i;
            while i < lines.len() && is_table_line(lines[i]) {
                i += 1;
            }
            s.push_str(&table(&lines[start..i]));
        } else if t.starts_with("- ") {
            s.push_str("<ul>\n");
            while i < lines.len() && lines[i].trim().starts_with("- ") {
                let mut item = lines[i].trim()[2..].to_string();
                i += 1;
                // Continuation lines of an item are indented.
                while i < lines.len()
                    && lines[i].starts_with("  ")
                    && !lines[i].trim().is_empty()
                    && !lines[i].trim().starts_with("- ")
                {
                    item.push(' ');
                    item.push_str(lines[i].trim());
                    i += 1;
                }
                let _ = writeln!(s, "<li>{}</li>", inline(&item));
            }
            s.push_str("</ul>\n");
        } else if let Some((alt, file)) = image(t) {
            match plots.iter().find(|(name, _)| name == file) {
                Some((_, svg)) => {
                    let _ = writeln!(
                        s,
                        "<figure id=\"figure-{}\">\n{}\n<figcaption>{}</figcaption>\n</figure>",
                        anchor(file),
                        inline_svg(svg),
                        escape(file)
                    );
                }
                None => {
                    let _ = writeln!(
                        s,
                        "<p class=\"missing-figure\">(figure {} not available)</p>",
                        escape(alt)
                    );
                }
            }
            i += 1;
        } else {
            let mut para = Vec::new();
            while i < lines.len() {
                let l = lines[i].trim();
                if l.is_empty()
                    || l.starts_with('#')
                    || l.starts_with("```")
                    || is_table_line(l)
                    || l.starts_with("- ")
                    || image(l).is_some()
                {
                    break;
                }
                para.push(l);
                i += 1;
            }
            let text = para.join(" ");
            let italic = text.len() > 2 && text.starts_with('_') && text.ends_with('_');
            if italic {
                let _ = writeln!(s, "<p><em>{}</em></p>", inline(&text[1..text.len() - 1]));
            } else {
                let _ = writeln!(s, "<p>{}</p>", inline(&text));
            }
        }
    }
    s
}

fn table(lines: &[&str]) -> String {
    let mut s = String::from("<div class=\"table\"><table>\n");
    let (head, body) = if lines.len() >= 2 && is_separator(lines[1]) {
        (Some(lines[0]), &lines[2..])
    } else {
        (None, lines)
    };
    if let Some(h) = head {
        s.push_str("<thead><tr>");
        for c in cells(h) {
            let _ = write!(s, "<th>{}</th>", inline(c));
        }
        s.push_str("</tr></thead>\n");
    }
    s.push_str("<tbody>\n");
    for row in body {
        s.push_str("<tr>");
        for c in cells(row) {
            let _ = write!(s, "<td>{}</td>", inline(c));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody>\n</table></div>\n");
    s
}

/// Inline Markdown: `code` spans, then **bold** outside them; everything escaped.
fn inline(text: &str) -> String {
    let mut out = String::new();
    for (k, part) in text.split('`').enumerate() {
        if k % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", escape(part));
        } else {
            for (j, piece) in part.split("**").enumerate() {
                if j % 2 == 1 {
                    let _ = write!(out, "<strong>{}</strong>", escape(piece));
                } else {
                    out.push_str(&escape(piece));
                }
            }
        }
    }
    // An odd number of backticks or ** would leave an unclosed span: count again and fall back
    // to plain text then.
    if text.matches('`').count() % 2 == 1
        || text
            .split('`')
            .step_by(2)
            .any(|p| p.matches("**").count() % 2 == 1)
    {
        return escape(text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_everywhere() {
        let body = markdown_body(
            "# a <b> & c\n\n| x<y | `a&b` |\n|---|---|\n| 1 | <script> |\n\nplain \"q\" 'x'\n",
            &[],
        );
        assert!(
            body.contains("<h1 id=\"a-b-c\">a &lt;b&gt; &amp; c</h1>"),
            "{body}"
        );
        assert!(body.contains("<th>x&lt;y</th>"));
        assert!(body.contains("<code>a&amp;b</code>"));
        assert!(body.contains("<td>&lt;script&gt;</td>"));
        assert!(body.contains("plain &quot;q&quot; &#39;x&#39;"));
        assert!(!body.contains("<script>"));
    }

    #[test]
    fn images_become_inline_svg_and_code_blocks_pre() {
        let plots = vec![(
            "a.svg".to_string(),
            "<svg viewBox=\"0 0 1 1\"></svg>".to_string(),
        )];
        let body = markdown_body(
            "para **bold** and `code`\n\n![a.svg](a.svg)\n\n![b.svg](b.svg)\n\n```toml\nx = \"<1>\"\n```\n_missing: why._\n",
            &plots,
        );
        assert!(body.contains("<p>para <strong>bold</strong> and <code>code</code></p>"));
        assert!(
            body.contains("<figure id=\"figure-a-svg\">\n<svg viewBox"),
            "{body}"
        );
        assert!(body.contains("(figure b.svg not available)"));
        assert!(body.contains(
            "<pre><code class=\"language-toml\">x = &quot;&lt;1&gt;&quot;\n</code></pre>"
        ));
        assert!(body.contains("<p><em>missing: why.</em></p>"));
    }

    #[test]
    fn unbalanced_markers_stay_plain_text() {
        assert_eq!(inline("a ` b"), "a ` b");
        assert_eq!(inline("2 ** 3"), "2 ** 3");
    }
}
