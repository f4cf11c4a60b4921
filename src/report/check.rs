//! A self-check of a finished report: every number finite, every missing value explained.
//! Used by the tests, the property tests and the fuzz target, and cheap enough to run anywhere.

use super::RunReport;
use crate::config::TrialDesign;
use serde_json::Value as Json;

fn walk(v: &Json, path: String, nulls: &mut Vec<String>, problems: &mut Vec<String>) {
    match v {
        Json::Null => nulls.push(path),
        Json::Number(n) => {
            if !n.as_f64().is_some_and(f64::is_finite) {
                problems.push(format!("{path} = {n} is not finite"));
            }
        }
        Json::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                walk(x, format!("{path}[{i}]"), nulls, problems);
            }
        }
        Json::Object(o) => {
            for (k, x) in o {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                walk(x, p, nulls, problems);
            }
        }
        Json::Bool(_) | Json::String(_) => {}
    }
}

fn explained(object: &Json, key: &str) -> bool {
    object
        .get("missing")
        .and_then(|m| m.get(key))
        .and_then(Json::as_str)
        .is_some_and(|why| !why.is_empty())
}

/// Everything wrong with `report` as JSON (empty when it is sound): non-finite numbers
/// (serde_json writes NaN as null, so those surface as unexplained nulls), nulls that are
/// neither optional by design nor explained in a `missing` map, and adverse-event rates that
/// are neither reported nor explained.
pub fn problems(report: &RunReport, design: &TrialDesign) -> Vec<String> {
    let json = match serde_json::to_value(report) {
        Ok(j) => j,
        Err(e) => return vec![format!("the report does not serialize: {e}")],
    };
    let (mut nulls, mut problems) = (Vec::new(), Vec::new());
    walk(&json, String::new(), &mut nulls, &mut problems);
    let primary = &json["primary"];
    for null in &nulls {
        let ok = match null.as_str() {
            "adverse_events" => design.adverse_event().is_none(),
            "responders" => {
                design.population().baseline.is_none() || report.config.response.is_none()
            }
            "config.adverse_events" | "config.sequential" => true,
            p if p.starts_with("looks[") && p.ends_with("].futility_z") => true,
            p if p.starts_with("looks[") => explained(primary, p),
            p if p.starts_with("primary.") => explained(primary, &p["primary.".len()..]),
            p if p.starts_with("closed_form.") => {
                explained(&json["closed_form"], &p["closed_form.".len()..])
            }
            p if p.starts_with("contrasts[") => p["contrasts[".len()..]
                .split_once("].")
                .and_then(|(i, field)| Some((i.parse::<usize>().ok()?, field)))
                .is_some_and(|(i, field)| explained(&json["contrasts"][i], field)),
            "family.familywise_error" => report
                .family
                .as_ref()
                .is_some_and(|f| f.true_nulls.is_empty()),
            p if p.starts_with("analyses.") => match p["analyses.".len()..].split_once('.') {
                Some((name, field)) => explained(&json["analyses"][name], field),
                None => false,
            },
            _ => false,
        };
        if !ok {
            problems.push(format!(
                "`{null}` is null without a reason in a `missing` map"
            ));
        }
    }
    if let Some(ae) = &report.adverse_events {
        for c in design.condition_names() {
            if !ae.rate.contains_key(c)
                && !explained(primary, &format!("adverse_events.rate.\"{c}\""))
            {
                problems.push(format!(
                    "the adverse-event rate of {c:?} is neither reported nor explained"
                ));
            }
        }
    }
    problems
}
