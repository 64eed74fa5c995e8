//! The documentation's links lead somewhere: every relative link and image of the README and of
//! the pages under `docs/` and `scenarios/` names a file of the repository, and every picture of
//! the gallery is shown on its page and is a PNG of the reports' size.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Markdown pages users read.
fn pages() -> Vec<PathBuf> {
    let mut pages = vec![root().join("README.md"), root().join("scenarios/README.md")];
    for entry in std::fs::read_dir(root().join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            pages.push(path);
        }
    }
    pages
}

/// The targets of `[text](target)` and `![alt](target)` in `md`, outside code blocks and spans.
fn link_targets(md: &str) -> Vec<String> {
    let mut targets = Vec::new();
    let mut in_block = false;
    for line in md.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if in_block {
            continue;
        }
        // Drop code spans: a `](` inside one is not a link.
        let mut text = String::new();
        for (i, part) in line.split('`').enumerate() {
            if i % 2 == 0 {
                text.push_str(part);
            }
        }
        let mut rest = text.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            targets.push(after[..end].to_string());
            rest = &after[end..];
        }
    }
    targets
}

#[test]
fn every_relative_link_of_the_documentation_names_a_file() {
    let mut checked = 0;
    let mut broken = Vec::new();
    for page in pages() {
        let md = std::fs::read_to_string(&page).unwrap();
        for target in link_targets(&md) {
            if target.contains("://") || target.starts_with('#') || target.starts_with("mailto:") {
                continue;
            }
            let file = target.split('#').next().unwrap();
            let resolved = page.parent().unwrap().join(file);
            checked += 1;
            if !resolved.exists() {
                broken.push(format!("{}: {target}", page.display()));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "links to files that do not exist:\n{}",
        broken.join("\n")
    );
    assert!(
        checked > 20,
        "only {checked} relative links found: is the parser reading links?"
    );
}

#[test]
fn every_gallery_picture_is_shown_and_is_a_report_chart() {
    let dir = root().join("docs/gallery");
    let page = std::fs::read_to_string(root().join("docs/gallery.md")).unwrap();
    let shown = link_targets(&page);
    let mut pictures = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            shown.iter().any(|t| t == &format!("gallery/{name}")),
            "docs/gallery/{name} is not shown on docs/gallery.md"
        );
        let img = image::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(
            (img.width(), img.height()),
            (960, 540),
            "{name}: a report chart is 960 × 540"
        );
        pictures += 1;
    }
    assert!(pictures >= 15, "the gallery has {pictures} pictures");
    assert!(Path::new(&dir).join("frontier.png").exists());
}
