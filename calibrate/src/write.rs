//! The calibrated scenario's text: the template with every measured field replaced and a
//! comment above it saying what it was fitted from.
//!
//! The template is the analyst's (their staffing, list, strategies, rules and comments stay as
//! they wrote them) or the bundled [`DEFAULT_TEMPLATE`]. The result is read back with the
//! simulator's own parser before it is returned, so a calibration never writes a scenario
//! `dialsim run` refuses.

use crate::Calibration;
use crate::classify::DialOutcome;
use crate::measure::{CHOICES, choice_field};
use crate::mix::rounded_summing_to_one;
use crate::ron_edit;
use rules::Choice;

/// The template used without `--template`: a center of 20 agents on one shift; the fields the
/// records measure are replaced, the rest is to be edited.
pub const DEFAULT_TEMPLATE: &str = include_str!("template.ron");

/// Hours of the local day with fewer calls than this keep the day's overall mix.
pub const MIN_CALLS_PER_HOUR: u64 = 200;

/// Why a calibrated scenario could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(
        "the template has no field {0}: start from a complete scenario (see scenarios/README.md)"
    )]
    MissingField(String),
    #[error(
        "the calibrated scenario does not read back ({0}): this is a bug, please report it with the records"
    )]
    Invalid(String),
}

fn set(text: String, path: &[&str], value: &str, comment: &[String]) -> Result<String, WriteError> {
    ron_edit::set(&text, path, value, comment)
        .ok_or_else(|| WriteError::MissingField(path.join(".")))
}

/// The template's value at `path` kept, with `comment` saying why the records did not replace it.
fn keep(text: String, path: &[&str], comment: &[String]) -> Result<String, WriteError> {
    let kept = ron_edit::get(&text, path)
        .ok_or_else(|| WriteError::MissingField(path.join(".")))?
        .to_string();
    set(text, path, &kept, comment)
}

fn share_text(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0');
    if s.ends_with('.') {
        format!("{s}0")
    } else {
        s.to_string()
    }
}

fn count(n: u64) -> String {
    let digits = n.to_string();
    if digits.len() < 5 {
        return digits;
    }
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Comment lines wrapped at about 96 columns (a comment's own indentation comes on top).
fn wrap(lines: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for line in lines {
        let mut current = String::new();
        for word in line.split(' ') {
            if !current.is_empty() && current.len() + 1 + word.len() > 92 {
                out.push(std::mem::take(&mut current));
                current.push_str("  ");
            }
            if !current.is_empty() && !current.ends_with("  ") {
                current.push(' ');
            }
            current.push_str(word);
        }
        out.push(current);
    }
    out
}

/// The five outcome shares as the calls really went, from the shares the records show, when
/// an answering-machine detector with error rates `fp` (people taken for machines) and `fnr`
/// (machines taken for people) gave the verdicts: the records' human share is
/// h(1 − fp) + m·fnr and their machine share h·fp + m(1 − fnr); this solves for h and m.
pub fn undo_amd(shares: [f64; 5], (fp, fnr): (f64, f64)) -> [f64; 5] {
    let [seen_h, seen_m, busy, no_answer, failed] = shares;
    let det = 1.0 - fp - fnr;
    if det <= 0.0 {
        return shares;
    }
    let h = ((seen_h * (1.0 - fnr) - seen_m * fnr) / det).max(0.0);
    let m = ((seen_m * (1.0 - fp) - seen_h * fp) / det).max(0.0);
    // Rounding can move h + m off seen_h + seen_m by a hair: keep the total the records show.
    let scale = if h + m > 0.0 {
        (seen_h + seen_m) / (h + m)
    } else {
        1.0
    };
    [h * scale, m * scale, busy, no_answer, failed]
}

/// The choice counts the scenario's IVR is written with, and how many people answered for each
/// one the records show as a person (1 or more).
///
/// With AMD, machines taken for people reach the IVR and press nothing: their expected number
/// (`machine_share` of the calls, at the detector's false-negative rate) leaves no input. A
/// person whose press would come after the no-input timeout presses nothing either: the records
/// show each choice's presses before it, its fit says what share those are, and the choice's
/// count is the count seen over that share. The difference is taken from the no inputs; what
/// they cannot cover are people the records counted as machines (a silent answer without a
/// detector's verdict of a person, the default table's `silent_answer: Machine`), which the
/// ratio returns to the people.
fn ivr_counts(c: &Calibration, machine_share: f64) -> (Vec<f64>, f64) {
    let m = &c.measured;
    let mut counts: Vec<f64> = m.choice.shares.iter().map(|s| s.count as f64).collect();
    let no_input = CHOICES
        .iter()
        .position(|&ch| ch == Choice::NoInput)
        .expect("listed");
    if let Some((_, fnr)) = c.amd_errors {
        let machines_missed = m.outcome.total as f64 * machine_share * fnr;
        counts[no_input] = (counts[no_input] - machines_missed).max(0.0);
    }
    let seen_people: f64 = counts.iter().sum();
    let mut uncovered = 0.0;
    for (i, &ch) in CHOICES.iter().enumerate() {
        let seen = c.seen_share(ch);
        if ch != Choice::NoInput && seen > 0.0 && seen < 1.0 {
            let added = counts[i] / seen - counts[i];
            let taken = added.min(counts[no_input]);
            counts[i] += added;
            counts[no_input] -= taken;
            uncovered += added - taken;
        }
    }
    let ratio = if seen_people > 0.0 {
        (seen_people + uncovered) / seen_people
    } else {
        1.0
    };
    (counts, ratio)
}

/// A dial mix with the people the records counted as machines (`ratio` of the people seen, see
/// [`ivr_counts`]) returned to the people.
fn with_timed_out_people(mix: [f64; 5], ratio: f64) -> [f64; 5] {
    let [h, m, b, n, f] = mix;
    let back = (h * (ratio - 1.0)).min(m).max(0.0);
    [h + back, m - back, b, n, f]
}

/// The scenario `template` with the fields `c` measured.
pub fn scenario(template: &str, c: &Calibration) -> Result<String, WriteError> {
    let m = &c.measured;
    let mut text = template.to_string();
    let f = &c.fits;

    // Dial outcomes: the day's mix, then hours that differ with enough calls.
    let mix_of = |mix: &crate::mix::Mix<DialOutcome>| {
        let mut five = [0.0; 5];
        for (i, &o) in DialOutcome::ALL.iter().enumerate() {
            five[i] = mix.share(o);
        }
        match c.amd_errors {
            Some(errors) => undo_amd(five, errors),
            None => five,
        }
    };
    let before_timeouts = mix_of(&m.outcome);
    let (choice_counts, answered_ratio) = ivr_counts(c, before_timeouts[1]);
    let mix_of =
        |mix: &crate::mix::Mix<DialOutcome>| with_timed_out_people(mix_of(mix), answered_ratio);
    let shares = mix_of(&m.outcome);
    let rounded = rounded_summing_to_one(&shares, 4);
    let intervals: Vec<String> = DialOutcome::ALL
        .iter()
        .zip(&m.outcome.shares)
        .map(|(o, s)| format!("{} [{:.3}, {:.3}]", o.field(), s.ci95.0, s.ci95.1))
        .collect();
    for (i, o) in DialOutcome::ALL.iter().enumerate() {
        let comment = if i == 0 {
            let mut lines = vec![format!(
                "calibrated from {} calls: shares with 95% intervals {}",
                count(m.outcome.total),
                intervals.join(", ")
            )];
            if answered_ratio > 1.0 {
                lines.push(format!(
                    "human raised, machine lowered, by the {:.1}% more people than the records show: those whose key press would come after the no-input timeout hung up silent and were counted as machines",
                    (answered_ratio - 1.0) * 100.0
                ));
            }
            if let Some((fp, fnr)) = c.amd_errors {
                lines.push(format!(
                    "human and machine corrected for the detector's errors the records cannot show (amd: false_positive {fp}, false_negative {fnr}): the detector below, making them, gives the records' verdicts"
                ));
            }
            wrap(&lines)
        } else {
            Vec::new()
        };
        text = set(
            text,
            &["dial", o.field()],
            &share_text(rounded[i]),
            &comment,
        )?;
    }
    let hours: Vec<String> = m
        .outcome_by_hour
        .iter()
        .filter(|(_, mix)| mix.total >= MIN_CALLS_PER_HOUR)
        .map(|(h, mix)| {
            let r = rounded_summing_to_one(&mix_of(mix), 4);
            format!(
                "(from: \"{h:02}:00\", to: \"{:02}:00\", // {} calls\n     human: {}, machine: {}, busy: {}, no_answer: {}, failed: {}),",
                h + 1,
                count(mix.total),
                share_text(r[0]),
                share_text(r[1]),
                share_text(r[2]),
                share_text(r[3]),
                share_text(r[4]),
            )
        })
        .collect();
    let by_hour = if hours.is_empty() {
        "[]".to_string()
    } else {
        format!("[\n    {}\n]", hours.join("\n    "))
    };
    text = set(
        text,
        &["dial", "by_local_hour"],
        &by_hour,
        &wrap(&[format!(
            "the mix per hour of the customers' local day ({}), hours with at least {MIN_CALLS_PER_HOUR} calls; the others take the shares above",
            c.clock()
        )]),
    )?;
    if let Some(t) = &f.ring_timeout {
        let allowed = rules::rulebook::MIN_RING_S as f64..=60.0;
        if allowed.contains(&t.value) {
            text = set(
                text,
                &["dial", "ring_timeout_s"],
                &format!("{:.1}", t.value),
                &wrap(std::slice::from_ref(&t.comment)),
            )?;
        } else {
            text = keep(
                text,
                &["dial", "ring_timeout_s"],
                &wrap(&[format!(
                    "{}, outside the {} to 60 s a scenario allows: the template's timeout kept",
                    t.comment,
                    rules::rulebook::MIN_RING_S
                )]),
            )?;
        }
    }
    for (field, fit) in [
        ("answer_after", &f.answer_after),
        ("busy_after", &f.busy_after),
        ("failed_after", &f.failed_after),
    ] {
        if let Some(fit) = fit {
            text = set(text, &["dial", field], &fit.ron, &wrap(&fit.comment))?;
        }
    }

    // The IVR: the choice mix of the people (counted once, with the dial mix, above), and when
    // each key is pressed.
    let people: f64 = choice_counts.iter().sum();
    let choice_shares: Vec<f64> = choice_counts
        .iter()
        .map(|n| if people > 0.0 { n / people } else { 0.0 })
        .collect();
    let rounded = rounded_summing_to_one(&choice_shares, 4);
    if people <= 0.0 {
        // Nobody answered in person: the records say nothing of the IVR, and shares of zero
        // people would not sum to one. The template's choices stay, saying so.
        text = keep(
            text,
            &["ivr", "no_input"],
            &wrap(&[format!(
                "no person answered in the {} calls: the IVR's choices are the template's",
                count(m.outcome.total)
            )]),
        )?;
    }
    let choices = if people > 0.0 { &CHOICES[..] } else { &[] };
    for (i, &ch) in choices.iter().enumerate() {
        let s = &m.choice.shares[i];
        let mut share_comment = vec![format!(
            "{} of {} people who answered [{:.3}, {:.3}]",
            count(s.count),
            count(m.choice.total),
            s.ci95.0,
            s.ci95.1
        )];
        let seen = c.seen_share(ch);
        if seen < 1.0 {
            share_comment.push(format!(
                "over the {:.1}% of its presses that come before the no-input timeout",
                seen * 100.0
            ));
        }
        if c.amd_errors.is_some() && ch == Choice::NoInput {
            share_comment.push(
                "less the machines the detector takes for people (they give no input)".into(),
            );
        }
        let share_comment = wrap(&share_comment);
        if ch == Choice::NoInput {
            text = set(
                text,
                &["ivr", "no_input"],
                &share_text(rounded[i]),
                &share_comment,
            )?;
            continue;
        }
        let press = f
            .key_press
            .iter()
            .find(|(c, _)| *c == ch)
            .map(|(_, fit)| fit);
        let after = match press {
            Some(fit) => {
                let comments: String = wrap(&fit.comment)
                    .iter()
                    .map(|l| format!("    // {l}\n"))
                    .collect();
                format!("{comments}    after: {},", fit.ron.replace('\n', "\n    "))
            }
            None => {
                // Keep the template's: find it again in the text.
                let template_after = ron_edit::get(&text, &["ivr", choice_field(ch), "after"])
                    .ok_or_else(|| {
                        WriteError::MissingField(format!("ivr.{}.after", choice_field(ch)))
                    })?;
                format!(
                    "    // too few key presses to fit: the template's\n    after: {template_after},"
                )
            }
        };
        let comments: String = share_comment
            .iter()
            .map(|l| format!("    // {l}\n"))
            .collect();
        let value = format!(
            "(\n{comments}    p: {},\n{after}\n)",
            share_text(rounded[i])
        );
        text = set(text, &["ivr", choice_field(ch)], &value, &[])?;
    }

    // The queue and the agents.
    if let Some(p) = &f.patience {
        text = set(
            text,
            &["queue", "patience"],
            &format!("Some({})", p.ron),
            &wrap(&p.comment),
        )?;
    }
    if let Some(t) = &f.talk {
        text = set(text, &["agents", "talk"], &t.ron, &wrap(&t.comment))?;
    }
    if let Some(w) = &f.after_call_work {
        text = set(
            text,
            &["agents", "after_call_work"],
            &w.ron,
            &wrap(&w.comment),
        )?;
    }
    let header: String = wrap(&[format!(
        "Calibrated by `dialsim calibrate` from {} contact records ({} contacts after de-duplication, {} of them the campaign's): the dial outcomes, the IVR, the queue's patience and the agents' talk and after-call work are measured; staffing, the list, the rules and the strategies are the template's: edit them.",
        count(c.read.read),
        count(c.read.contacts),
        count(m.contacts)
    )])
    .iter()
    .map(|l| format!("// {}\n", l.trim_start()))
    .collect();
    let text = format!("{header}{text}");
    sim::scenario::parse(&text).map_err(|e| WriteError::Invalid(e.to_string()))?;
    Ok(text)
}
