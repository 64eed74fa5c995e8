//! `live import`, `live status` and `live export` end to end, through the binary, on a copy of
//! the example campaign; and the campaign-file errors with exit code 2.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn live(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_live"))
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Copies `live/examples` into a fresh directory so the store is made there.
fn example() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    for f in ["campaign.ron", "contacts.csv", "do-not-call.txt"] {
        std::fs::copy(src.join(f), dir.path().join(f)).unwrap();
    }
    let campaign = dir.path().join("campaign.ron");
    (dir, campaign)
}

#[test]
fn import_status_export_on_the_example() {
    let (dir, campaign) = example();
    let c = campaign.to_str().unwrap();
    let o = live(&["import", c]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}{err}");
    // The message that asks for a fix shows the number as written; the logs mask it.
    assert!(
        out.contains("contacts.csv:6: phone \"415-555-0199\""),
        "{out}"
    );
    assert!(out.contains("kept as invalid, never dialed"), "{out}");
    assert!(
        out.contains("8 added") && out.contains("1 invalid") && out.contains("2 do-not-call"),
        "{out}"
    );
    // Logs mask phone numbers: the invalid one shows only its end.
    assert!(
        err.contains("**********99") && !err.contains("415-555-0199"),
        "{err}"
    );
    // Idempotent.
    let o = live(&["--log-format", "json", "import", c]);
    let (out, err) = text(&o);
    assert!(
        o.status.success() && out.contains("0 added, 0 updated, 8 unchanged"),
        "{out}"
    );
    let first = err.lines().next().unwrap();
    let json: serde_json::Value = serde_json::from_str(first).unwrap();
    assert_eq!(json["fields"]["line"], 6, "{first}");

    let o = live(&["status", c]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}{err}");
    assert!(out.contains("customers 8: 8 never dialed"), "{out}");
    let row = |code: &str| {
        out.lines()
            .find(|l| l.split_whitespace().next() == Some(code))
            .unwrap_or_else(|| panic!("no row {code} in {out}"))
            .split_whitespace()
            .nth(1)
            .unwrap()
            .to_string()
    };
    assert_eq!(row("invalid"), "1");
    assert_eq!(row("dnc"), "2");
    assert_eq!(row("-1"), "5");
    assert!(
        out.contains("abandon rate (regulatory)") && out.contains("answered by a live person"),
        "{out}"
    );
    assert!(
        out.contains("abandon rate (queue)") && out.contains("chose to talk to an agent"),
        "{out}"
    );

    let csv = dir.path().join("outcomes.csv");
    let o = live(&["export", c, "--csv", csv.to_str().unwrap()]);
    assert!(o.status.success(), "{:?}", text(&o));
    let mut reader = csv::Reader::from_path(&csv).unwrap();
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "phone");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 8);
    let invalid = rows.iter().find(|r| &r[0] == "415-555-0199").unwrap();
    assert_eq!(
        (&invalid[3], &invalid[4], &invalid[5]),
        ("invalid", "invalid", "0")
    );
    assert!(invalid[11].contains("E.164"));
    let dnc = rows.iter().find(|r| &r[0] == "+33142685300").unwrap();
    assert_eq!((&dnc[3], &dnc[4]), ("do_not_call", "dnc"));
}

#[test]
fn status_without_a_store_exits_2() {
    let (dir, campaign) = example();
    let o = live(&["status", campaign.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("run `live import`"), "{:?}", text(&o));
    assert!(!dir.path().join("spring-renewals.sqlite").exists());
}

#[test]
fn campaign_file_errors_exit_2_with_line_and_column() {
    let (_dir, campaign) = example();
    let good = std::fs::read_to_string(&campaign).unwrap();
    let cases = [
        ("    region:", "    regoin:", "unexpected field", "regoin"),
        (
            "\"+14155550100\"",
            "\"14155550100\"",
            "E.164",
            "+14155550100",
        ),
        (
            "ring_timeout_s: 30",
            "ring_timeout_s: 10",
            "at least 15",
            "ring timeout",
        ),
        (
            "    store:",
            "    aws_access_key_id: \"AKIAIOSFODNN7EXAMPLE\",\n    store:",
            "credential",
            "provider chain",
        ),
    ];
    for (from, to, want, also) in cases {
        let text_in = good.replacen(from, to, 1);
        assert_ne!(text_in, good);
        std::fs::write(&campaign, &text_in).unwrap();
        let line = text_in
            .lines()
            .position(|l| l.contains(to.trim().split('\n').next().unwrap()))
            .unwrap()
            + 1;
        let o = live(&["import", campaign.to_str().unwrap()]);
        let (_, err) = text(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        let prefix = format!("{}:{line}:", campaign.display());
        assert!(err.contains(&prefix), "want {prefix} in {err}");
        assert!(
            err.to_lowercase().contains(&want.to_lowercase()) && err.contains(also),
            "{err}"
        );
    }
}

/// Found from outside: `live export --csv` could write over the store, the campaign file or the
/// contact list, and a `store:` pointed at the do-not-call file turned it into a database.
#[test]
fn no_command_writes_over_its_inputs() {
    let (dir, campaign) = example();
    let c = campaign.to_str().unwrap();
    let o = live(&["import", c]);
    assert!(o.status.success(), "{:?}", text(&o));
    let before = std::fs::read(dir.path().join("contacts.csv")).unwrap();
    for target in ["contacts.csv", "campaign.ron", "do-not-call.txt"] {
        let path = dir.path().join(target);
        let o = live(&["export", c, "--csv", path.to_str().unwrap()]);
        let (_, err) = text(&o);
        assert_eq!(o.status.code(), Some(2), "{target}: {err}");
        assert!(
            err.contains("writing it would destroy it"),
            "{target}: {err}"
        );
    }
    assert_eq!(
        std::fs::read(dir.path().join("contacts.csv")).unwrap(),
        before
    );
    let text_of = std::fs::read_to_string(&campaign).unwrap();
    let dnc_store = dir.path().join("dnc-store.ron");
    let edited = with_store(&text_of, "do-not-call.txt");
    std::fs::write(&dnc_store, edited).unwrap();
    let dnc_before = std::fs::read(dir.path().join("do-not-call.txt")).unwrap();
    let o = live(&["import", dnc_store.to_str().unwrap()]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("the store") && err.contains("do-not-call file"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(dir.path().join("do-not-call.txt")).unwrap(),
        dnc_before
    );
}

/// The campaign text with its `store:` set to `path`.
fn with_store(campaign: &str, path: &str) -> String {
    let start = campaign
        .find("store:")
        .expect("the example names its store");
    let end = start + campaign[start..].find('\n').expect("a line end");
    format!("{}store: {path:?},{}", &campaign[..start], &campaign[end..])
}

/// Found from outside: a `store:` naming a folder, a missing folder or a file that is not a
/// store exited 1 (a runtime failure) with SQLite's words alone.
#[test]
fn a_store_that_cannot_be_opened_is_bad_input() {
    let (dir, campaign) = example();
    let campaign_text = std::fs::read_to_string(&campaign).unwrap();
    std::fs::write(dir.path().join("not-a-store.txt"), "hello\n").unwrap();
    for store in [".", "no/such/folder/s.sqlite", "not-a-store.txt"] {
        let file = dir.path().join("bad-store.ron");
        std::fs::write(&file, with_store(&campaign_text, store)).unwrap();
        let o = live(&["import", file.to_str().unwrap()]);
        let (_, err) = text(&o);
        assert_eq!(o.status.code(), Some(2), "{store}: {err}");
        assert!(err.contains("`store:`"), "{store}: {err}");
    }
}

/// A list by IANA zone name (`time_zone` column): names are read, an abbreviation is an
/// invalid line with the reason, and `export` without any output names what to give.
#[test]
fn a_list_by_zone_name_is_imported_and_an_abbreviation_is_kept_invalid() {
    let (dir, campaign) = example();
    std::fs::write(
        dir.path().join("contacts.csv"),
        "phone,name,time_zone\n+14155550100,Ann,America/Los_Angeles\n+14155550101,Bob,PST\n+14155550102,Cy,-05:00\n",
    )
    .unwrap();
    let c = campaign.to_str().unwrap();
    let o = live(&["import", c]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}{err}");
    assert!(
        out.contains("3 added") && out.contains("1 invalid"),
        "{out}"
    );
    assert!(out.contains("contacts.csv:3: time zone \"PST\""), "{out}");
    let o = live(&["export", c]);
    assert_eq!(o.status.code(), Some(2), "{:?}", text(&o));
    assert!(text(&o).1.contains("--csv"), "{:?}", text(&o));
    let records = dir.path().join("calls.jsonl");
    let o = live(&["export", c, "--contact-records", records.to_str().unwrap()]);
    assert!(o.status.success(), "{:?}", text(&o));
    assert!(
        text(&o).0.contains("wrote 0 contact records"),
        "{:?}",
        text(&o)
    );
}
