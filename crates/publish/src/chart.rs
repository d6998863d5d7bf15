//! SVG charts drawn on the server, for pages and documents alike.

/// One bar of a stacked bar chart: a label and (value, colour, legend) segments.
pub struct Bar<'a> {
    pub label: &'a str,
    pub segments: Vec<(usize, &'a str, &'a str)>,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A plan's progress by category as three bars (立行立改, 限期整改, 长期整改): closed, open and
/// overdue segments, and for long-term tasks those with staged results. `legend` names and
/// colours closed, open, overdue and staged, in that order.
pub fn category_bars<'a>(
    s: &duban_domain::rectification::PlanStats,
    labels: [&'a str; 3],
    legend: &[(&'a str, &'a str); 4],
) -> Vec<Bar<'a>> {
    let [(closed, c), (open, o), (overdue, r), (staged, st)] = *legend;
    let closable = |label, x: &duban_domain::rectification::ClosableStats| Bar {
        label,
        segments: vec![
            (x.closed, c, closed),
            (x.open - x.overdue, o, open),
            (x.overdue, r, overdue),
        ],
    };
    vec![
        closable(labels[0], &s.immediate),
        closable(labels[1], &s.time_limited),
        {
            let l = &s.long_term;
            let shown = l.with_staged_results.saturating_sub(l.overdue);
            Bar {
                label: labels[2],
                segments: vec![
                    (shown, st, staged),
                    (l.total.saturating_sub(shown + l.overdue), o, open),
                    (l.overdue, r, overdue),
                ],
            }
        },
    ]
}

/// Horizontal stacked bars, scaled to the largest total; each segment shows its value.
pub fn stacked_bars(title: &str, bars: &[Bar]) -> String {
    let max = bars
        .iter()
        .map(|b| b.segments.iter().map(|s| s.0).sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1);
    let (left, width, row) = (110.0, 480.0, 34.0);
    let height = 40.0 + row * bars.len() as f64 + 30.0;
    let mut out = format!(
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 640 {height}\" role=\"img\" aria-label=\"{t}\"><text x=\"0\" y=\"18\" font-size=\"15\" font-weight=\"bold\">{t}</text>",
        t = esc(title)
    );
    let mut legend: Vec<(&str, &str)> = Vec::new();
    for (i, b) in bars.iter().enumerate() {
        let y = 34.0 + row * i as f64;
        out.push_str(&format!(
            "<text x=\"0\" y=\"{}\" font-size=\"13\">{}</text>",
            y + 17.0,
            esc(b.label)
        ));
        let mut x = left;
        for (v, colour, name) in &b.segments {
            if !legend.iter().any(|(n, _)| n == name) {
                legend.push((name, colour));
            }
            if *v == 0 {
                continue;
            }
            let w = width * *v as f64 / max as f64;
            out.push_str(&format!("<rect x=\"{x:.1}\" y=\"{y}\" width=\"{w:.1}\" height=\"24\" fill=\"{colour}\"><title>{}: {v}</title></rect>", esc(name)));
            if w > 18.0 {
                out.push_str(&format!("<text x=\"{:.1}\" y=\"{}\" font-size=\"12\" fill=\"#fff\" text-anchor=\"middle\">{v}</text>", x + w / 2.0, y + 16.0));
            }
            x += w;
        }
    }
    let ly = height - 12.0;
    let mut lx = left;
    for (name, colour) in legend {
        out.push_str(&format!("<rect x=\"{lx}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{colour}\"/><text x=\"{}\" y=\"{ly}\" font-size=\"12\">{}</text>", ly - 10.0, lx + 16.0, esc(name)));
        lx += 24.0 + 13.0 * name.chars().count() as f64;
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn draws_segments_and_escapes() {
        let svg = stacked_bars(
            "进展 <x>",
            &[Bar {
                label: "限期整改",
                segments: vec![
                    (15, "#1a7f37", "已完成"),
                    (15, "#888", "推进中"),
                    (0, "#b3261e", "逾期"),
                ],
            }],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(
            svg.contains("进展 &lt;x&gt;")
                && svg.contains("已完成: 15")
                && !svg.contains("逾期: 0")
        );
        assert!(svg.contains(">逾期</text>"), "legend lists every series");
    }
}
