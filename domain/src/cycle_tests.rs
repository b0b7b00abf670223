//! No circles between files. A Rust file depends on the module files its `crate::`/`super::`/`self::` paths name,
//! a re-export followed to the file that defines the item, except a parent on its own descendants (declaring and
//! re-exporting children is its job, and a child naming a parent's re-export reaches the sibling that defines it).
//! A browser module or build script depends on the files it imports statically (`import`/`export … from`).

use std::collections::{BTreeMap, BTreeSet};

use crate::source_graph::{js_graph, rust_graph, Graph};

#[test]
fn the_worker_s_rust_files_form_no_cycle() {
    assert_no_cycle("src", &rust_graph("src"));
}

#[test]
fn the_domain_s_rust_files_form_no_cycle() {
    assert_no_cycle("domain/src", &rust_graph("domain/src"));
}

#[test]
fn the_browser_modules_and_build_scripts_form_no_cycle() {
    for dir in ["public/js", "scripts"] {
        assert_no_cycle(dir, &js_graph(dir));
    }
}

#[test]
fn the_graphs_see_the_edges_they_should() {
    let domain = rust_graph("domain/src");
    let edge = |from: &str, to: &str| domain.get(from).is_some_and(|to_set| to_set.contains(to));
    // A sibling named through the parent, a re-export followed to the file that defines it, a child test module.
    assert!(edge("domain/src/links.rs", "domain/src/ids.rs"));
    assert!(edge("domain/src/billing/problem.rs", "domain/src/stripe/event.rs"));
    assert!(edge("domain/src/props/providers.rs", "domain/src/stripe/envelope.rs"), "through event.rs's re-export");
    assert!(edge("domain/src/generation/tests.rs", "domain/src/generation/mod.rs"));
    assert!(!edge("domain/src/lib.rs", "domain/src/links.rs"), "a parent's own children are not edges");
    let worker = rust_graph("src");
    assert!(worker["src/store/billing.rs"].contains("src/store/ledger.rs"));
    let js = js_graph("public/js");
    assert!(js["public/js/detail.js"].contains("public/js/gallery.js"));
    let mut ring = Graph::new();
    ring.entry("a".into()).or_default().insert("b".into());
    ring.entry("b".into()).or_default().insert("a".into());
    assert_eq!(cycles(&ring), vec![vec!["a".to_owned(), "b".into(), "a".into()]]);
}

fn assert_no_cycle(dir: &str, graph: &Graph) {
    let found = cycles(graph);
    let shown: Vec<String> = found.iter().map(|cycle| cycle.join(" → ")).collect();
    assert!(found.is_empty(), "{dir} has import cycles:\n{}", shown.join("\n"));
}

/// One cycle per strongly connected group of files, each as the files in order, back to the first.
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let mut seen = BTreeSet::new();
    for start in graph.keys() {
        if seen.contains(start) {
            continue;
        }
        // The shortest path from `start` back to itself, if any.
        let mut previous: BTreeMap<&String, &String> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start]);
        let mut closed = None;
        while let Some(at) = queue.pop_front() {
            for next in graph.get(at).into_iter().flatten() {
                if next == start {
                    closed = Some(at);
                    break;
                }
                if !previous.contains_key(next) {
                    previous.insert(next, at);
                    queue.push_back(next);
                }
            }
            if closed.is_some() {
                break;
            }
        }
        let Some(mut at) = closed else { continue };
        let mut middle = Vec::new();
        while at != start {
            middle.push(at.clone());
            at = previous[at];
        }
        middle.reverse();
        let cycle: Vec<String> =
            std::iter::once(start.clone()).chain(middle).chain(std::iter::once(start.clone())).collect();
        seen.extend(cycle.iter().cloned());
        found.push(cycle);
    }
    found
}

// ---- JavaScript: `import … from "./x.js"`, `export … from "./x.js"` and `import "./x.js"`.
