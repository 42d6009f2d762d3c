//! The parser's contract: exact byte spans, anchors and merges with their origins, every
//! document, duplicate keys with both spans, partial trees, and bounded work on hostile input.

use std::time::Instant;

use shipshape_yaml::{
    NodeId, NodeKind, ParsedYaml, PathSegment, ScalarStyle, Span, SyntaxErrorKind, parse,
};

fn slice(text: &str, span: Span) -> &str {
    &text[span.range()]
}

fn get(p: &ParsedYaml, map: NodeId, key: &str) -> NodeId {
    p.tree
        .value(map, key)
        .unwrap_or_else(|| panic!("no key {key}"))
}

#[test]
fn spans_are_bytes_even_after_multibyte_text() {
    let text = "a: \"h\u{e9}llo w\u{f6}rld \u{2713}\"\nkey: value # c\nlist: [ x, \"y\" ]\n";
    let p = parse(text);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let root = p.tree.root().unwrap();
    let e = p.tree.get(root, "key").unwrap();
    assert_eq!(slice(text, p.tree.node(e.key).span), "key");
    assert_eq!(slice(text, p.tree.node(e.value).span), "value");
    let a = get(&p, root, "a");
    assert_eq!(
        slice(text, p.tree.node(a).span),
        "\"h\u{e9}llo w\u{f6}rld \u{2713}\""
    );
    let list = get(&p, root, "list");
    assert_eq!(slice(text, p.tree.node(list).span), "[ x, \"y\" ]");
    let items = p.tree.items(list);
    assert_eq!(slice(text, p.tree.node(items[1]).span), "\"y\"");
    assert_eq!(
        p.tree.scalar_style(items[1]),
        Some(ScalarStyle::DoubleQuoted)
    );
}

/// A quoted scalar ends at its closing quote, never over the comment after it (an
/// end-of-line `# shipshape: ignore[...]` after `"nginx"` is a comment, not content).
#[test]
fn quoted_scalars_end_at_their_closing_quote() {
    let text = "a: \"x\\\"y\"  # c1\nb: 'it''s'\t# c2\nc: \"q\" # c3\n";
    let p = parse(text);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let root = p.tree.root().unwrap();
    assert_eq!(
        slice(text, p.tree.node(get(&p, root, "a")).span),
        "\"x\\\"y\""
    );
    assert_eq!(slice(text, p.tree.node(get(&p, root, "b")).span), "'it''s'");
    assert_eq!(slice(text, p.tree.node(get(&p, root, "c")).span), "\"q\"");
}

#[test]
fn block_collections_span_from_first_key_to_last_child() {
    let text = "services:\n  web:\n    image: nginx\n    ports:\n      - \"80:80\"\n\n# trailing\nnext: 1\n";
    let p = parse(text);
    let root = p.tree.root().unwrap();
    let services = get(&p, root, "services");
    assert_eq!(
        slice(text, p.tree.node(services).span),
        "web:\n    image: nginx\n    ports:\n      - \"80:80\""
    );
    let web = get(&p, services, "web");
    let ports = get(&p, web, "ports");
    assert_eq!(slice(text, p.tree.node(ports).span), "- \"80:80\"");
    assert_eq!(
        p.tree.path_string(p.tree.items(ports)[0]),
        "services.web.ports[0]"
    );
}

#[test]
fn block_scalars_span_their_content_lines_only() {
    let text = "script: |\n  echo a\n\n  echo b\n# comment\nafter: &x >-\n  folded\n  text\nz: 1\n";
    let p = parse(text);
    let root = p.tree.root().unwrap();
    let script = get(&p, root, "script");
    assert_eq!(slice(text, p.tree.node(script).span), "echo a\n\n  echo b");
    assert_eq!(p.tree.scalar(script), Some("echo a\n\necho b\n"));
    let after = get(&p, root, "after");
    assert_eq!(slice(text, p.tree.node(after).span), "folded\n  text");
    assert_eq!(slice(text, p.tree.anchor(after).unwrap()), "&x");
}

#[test]
fn properties_are_outside_scalar_spans_and_tags_are_kept() {
    let text = "a: &anchor value\nb: !!str 1\nc: !reference [.setup, script]\nd: *anchor\n";
    let p = parse(text);
    let root = p.tree.root().unwrap();
    let a = get(&p, root, "a");
    assert_eq!(slice(text, p.tree.node(a).span), "value");
    assert_eq!(slice(text, p.tree.anchor(a).unwrap()), "&anchor");
    let b = get(&p, root, "b");
    assert_eq!(p.tree.tag(b), Some("!!str"));
    assert_eq!(slice(text, p.tree.node(b).span), "1");
    let c = get(&p, root, "c");
    assert_eq!(p.tree.tag(c), Some("!reference"));
    let refs: Vec<_> = p
        .tree
        .items(c)
        .iter()
        .map(|&i| p.tree.scalar(i).unwrap())
        .collect();
    assert_eq!(refs, [".setup", "script"]);
    let d = get(&p, root, "d");
    assert!(p.tree.is_alias(d));
    assert_eq!(slice(text, p.tree.node(d).span), "*anchor");
    assert_eq!(p.tree.scalar(d), Some("value"));
}

#[test]
fn merge_keys_resolve_with_origins_and_explicit_keys_win() {
    let text = "\
.base: &base
  image: python
  stage: test
.extra: &extra
  stage: lint
  tags: [docker]
job:
  <<: [*base, *extra]
  image: alpine
";
    let p = parse(text);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let root = p.tree.root().unwrap();
    let job = get(&p, root, "job");
    let keys: Vec<_> = p
        .tree
        .entries(job)
        .iter()
        .map(|e| p.tree.scalar(e.key).unwrap())
        .collect();
    assert_eq!(keys, ["image", "stage", "tags"]);
    assert_eq!(p.tree.scalar(get(&p, job, "image")), Some("alpine"));
    let stage = p.tree.get(job, "stage").unwrap();
    assert_eq!(
        p.tree.scalar(stage.value),
        Some("test"),
        "earlier merge source wins"
    );
    // The value keeps its span where the anchor defined it; the entry knows which alias brought it.
    assert_eq!(
        p.tree.node(stage.value).span.start as usize,
        text.find("test").unwrap()
    );
    let via = stage.merged_from.unwrap();
    assert_eq!(slice(text, p.tree.node(via).span), "*base");
    // As written, the mapping still has its `<<` key.
    assert_eq!(p.tree.raw_entries(job).len(), 2);
}

#[test]
fn nested_merges_and_invalid_merges() {
    let text = "a: &a {x: 1}\nb: &b\n  <<: *a\n  y: 2\nc:\n  <<: *b\nd:\n  <<: [1]\n";
    let p = parse(text);
    let root = p.tree.root().unwrap();
    let c = get(&p, root, "c");
    assert_eq!(p.tree.scalar(get(&p, c, "x")), Some("1"));
    assert_eq!(p.tree.scalar(get(&p, c, "y")), Some("2"));
    assert_eq!(p.errors.len(), 1);
    assert_eq!(p.errors[0].kind, SyntaxErrorKind::InvalidMerge);
    assert_eq!(slice(text, p.errors[0].span), "1");
    assert!(p.is_complete(), "an invalid merge does not stop the parse");
}

#[test]
fn self_merge_is_reported_not_looped() {
    let p = parse("a: &a\n  b: 1\n  c:\n    <<: *a\n");
    assert!(
        p.errors
            .iter()
            .any(|e| e.kind == SyntaxErrorKind::InvalidMerge)
    );
    let p = parse("a: &a [*a, *a]\n");
    assert!(p.errors.is_empty());
}

#[test]
fn duplicate_keys_keep_both_spans_and_the_last_value() {
    let text = "job:\n  image: a\n  script: [x]\n  image: b\n";
    let p = parse(text);
    assert_eq!(p.tree.duplicates.len(), 1);
    let d = p.tree.duplicates[0];
    assert_eq!(p.tree.node(d.first).span, Span::new(7, 12));
    assert_eq!(p.tree.node(d.repeated).span, Span::new(32, 37));
    let job = get(&p, p.tree.root().unwrap(), "job");
    assert_eq!(p.tree.scalar(get(&p, job, "image")), Some("b"));
    assert_eq!(p.tree.entries(job).len(), 2);
}

#[test]
fn duplicate_keys_in_big_mappings_are_found_too() {
    let mut text = String::new();
    for i in 0..40 {
        text.push_str(&format!("k{i}: {i}\n"));
    }
    text.push_str("k7: again\n");
    let p = parse(&text);
    assert_eq!(p.tree.duplicates.len(), 1);
    assert_eq!(p.tree.scalar(p.tree.duplicates[0].first), Some("k7"));
}

#[test]
fn repeated_merge_keys_are_duplicates_and_both_apply() {
    let p = parse("a: &a {x: 1}\nb: &b {y: 2}\nc:\n  <<: *a\n  <<: *b\n");
    assert_eq!(p.tree.duplicates.len(), 1);
    let c = get(&p, p.tree.root().unwrap(), "c");
    assert_eq!(p.tree.entries(c).len(), 2);
}

#[test]
fn every_document_is_kept() {
    let text = "spec:\n  inputs:\n    x: {}\n---\njob:\n  script: [a]\n";
    let p = parse(text);
    assert_eq!(p.tree.documents.len(), 2);
    assert!(!p.tree.documents[0].explicit_start);
    assert!(p.tree.documents[1].explicit_start);
    let second = p.tree.documents[1].root.unwrap();
    assert!(p.tree.get(second, "job").is_some());
    assert!(parse("").tree.documents.is_empty());
    assert!(parse("# only a comment\n").tree.documents.is_empty());
}

#[test]
fn a_syntax_error_leaves_a_partial_tree() {
    let text = "a: 1\nb: [1, 2\nc: 3\n";
    let p = parse(text);
    assert!(!p.is_complete());
    assert_eq!(p.errors[0].kind, SyntaxErrorKind::Parse);
    assert_eq!(p.errors[0].message, "illegal placement of ':' indicator");
    assert_eq!(p.errors[0].span, Span::new(15, 16));
    let root = p.tree.root().unwrap();
    assert_eq!(p.tree.scalar(get(&p, root, "a")), Some("1"));
    let b = get(&p, root, "b");
    assert_eq!(p.tree.items(b).len(), 1);
    assert_eq!(
        p.tree.node(b).span,
        Span::new(8, 10),
        "closed after what parsed"
    );
}

#[test]
fn tab_in_indentation_is_found_where_it_is() {
    // Seed 000: two spaces, then a tab, inside a mapping. saphyr points at the end of the
    // line before; the error must point at the tab.
    let text = "job:\n  variables:\n    A: x\n  \tB: y\n  \tC: z\n";
    let p = parse(text);
    assert_eq!(p.errors[0].kind, SyntaxErrorKind::TabIndentation);
    assert_eq!(p.errors[0].span, Span::new(29, 30));
    assert_eq!(p.tab_indents.len(), 2);
    assert_eq!(p.tab_indents[0].line, 3);
    assert_eq!(p.tab_indents[1].first_tab, Span::new(37, 38));
}

#[test]
fn tabs_in_scalar_content_and_flow_are_not_indentation() {
    let text = "a: |\n  x\n  \ty\nb: [1,\n\t2]\nc: \"q\n \tr\"\nd: x\n \ty\n";
    let p = parse(text);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert!(p.tab_indents.is_empty(), "{:?}", p.tab_indents);
    // A tab that saphyr tolerates at the top level is still indentation.
    let p = parse("\tb: 2\n");
    assert_eq!(p.tab_indents.len(), 1);
}

#[test]
fn tab_after_colon_is_valid_yaml() {
    let text = "a:\tvalue\nb:\t\t2\n";
    let p = parse(text);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.leniencies.len(), 2);
    let root = p.tree.root().unwrap();
    let a = get(&p, root, "a");
    assert_eq!(p.tree.scalar(a), Some("value"));
    assert_eq!(slice(text, p.tree.node(a).span), "value");
}

#[test]
fn flow_end_at_parent_indentation_is_accepted_like_libyaml() {
    // opentelemetry-demo's compose.yaml, line 694.
    let text =
        "svc:\n  command: [\n    \"start\", # first\n    \"--uri\"\n  ]\n  ports:\n    - \"80\"\n";
    let p = parse(text);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let svc = get(&p, p.tree.root().unwrap(), "svc");
    let command = get(&p, svc, "command");
    assert_eq!(p.tree.items(command).len(), 2);
    assert_eq!(
        slice(text, p.tree.node(command).span),
        "[\n    \"start\", # first\n    \"--uri\"\n  ]"
    );
    assert_eq!(p.tree.items(get(&p, svc, "ports")).len(), 1);
}

#[test]
fn bom_and_crlf_keep_offsets_exact() {
    let text = "\u{feff}a: 1\r\nb:\r\n  - x\r\n";
    let p = parse(text);
    assert!(p.errors.is_empty());
    assert_eq!(p.prescan.bom_len, 3);
    assert_eq!(p.prescan.line_endings.crlf, 3);
    let root = p.tree.root().unwrap();
    let a = p.tree.get(root, "a").unwrap();
    assert_eq!(slice(text, p.tree.node(a.key).span), "a");
    let b = get(&p, root, "b");
    assert_eq!(slice(text, p.tree.node(p.tree.items(b)[0]).span), "x");
}

#[test]
fn deep_block_nesting_stops_at_the_limit() {
    let text = "- ".repeat(100_000) + "x\n";
    let t = Instant::now();
    let p = parse(&text);
    assert!(t.elapsed().as_secs() < 5);
    assert_eq!(p.errors[0].kind, SyntaxErrorKind::DepthLimit);
    assert!(p.errors[0].message.contains("nesting deeper than 256"));
}

#[test]
fn deep_flow_nesting_is_an_error_not_a_crash() {
    let text = "[".repeat(100_000);
    let p = parse(&text);
    assert!(!p.is_complete());
    let text = "a: ".to_string() + &"{b: ".repeat(100_000);
    let p = parse(&text);
    assert!(!p.is_complete());
}

#[test]
fn billion_laughs_costs_what_it_weighs() {
    let mut text = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h"]
        .iter()
        .zip(["b", "c", "d", "e", "f", "g", "h", "i"])
    {
        let refs = vec![format!("*{prev}"); 9].join(",");
        text.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    let p = parse(&text);
    assert!(
        p.tree.len() < 200,
        "aliases are never copied: {} nodes",
        p.tree.len()
    );
    // 9^9 = 387 million strings once expanded: reported at the alias that expands most.
    assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
    assert_eq!(p.errors[0].kind, SyntaxErrorKind::AliasBomb);
    assert_eq!(slice(&text, p.errors[0].span), "*h");
    assert!(
        p.is_complete(),
        "the tree is whole; only expanding it would hurt"
    );
    // Ordinary reuse, and a long list without aliases, stay below the limit.
    assert!(
        parse("a: &a {x: [1, 2, 3]}\nb: [*a, *a, *a]\n")
            .errors
            .is_empty()
    );
    let long = format!("x: [{}0]\n", "1,".repeat(1_200_000));
    assert!(parse(&long).errors.is_empty());
}

#[test]
fn merge_bombs_hit_the_budget() {
    // Each level merges nine copies of the previous one under new keys: the merged entry
    // count grows, the node count does not.
    let mut text = String::from("l0: &l0 {a: 1, b: 2, c: 3}\n");
    for i in 1..40 {
        text.push_str(&format!("l{i}: &l{i}\n  <<: *l{}\n", i - 1));
        for k in 0..30 {
            text.push_str(&format!("  k{i}_{k}: v\n"));
        }
    }
    let p = parse(&text);
    assert!(p.errors.is_empty());
    let limits = shipshape_yaml::Limits {
        max_merged_entries: 1000,
        ..Default::default()
    };
    let p = shipshape_yaml::parse_with(&text, &limits);
    assert!(
        p.errors
            .iter()
            .any(|e| e.kind == SyntaxErrorKind::MergeBudget)
    );
}

#[test]
fn long_single_line_is_linear() {
    let text = format!("k: \"{}\u{e9}\"\n", "\u{e9}x".repeat(2_000_000));
    let t = Instant::now();
    let p = parse(&text);
    assert!(p.errors.is_empty());
    assert!(t.elapsed().as_secs() < 10);
    let root = p.tree.root().unwrap();
    let k = p.tree.get(root, "k").unwrap();
    assert_eq!(p.tree.node(k.value).span.end as usize, text.len() - 1);
}

#[test]
fn parents_lead_to_the_root() {
    let p = parse("a:\n  b:\n    - c: 1\n");
    let leaf = p.tree.ids().last().unwrap();
    assert_eq!(p.tree.path_string(leaf), "a.b[0].c");
    assert!(matches!(
        p.tree.node(p.tree.root().unwrap()).kind,
        NodeKind::Mapping { .. }
    ));
}

#[test]
fn each_node_is_found_in_its_parent_as_a_scan_would_find_it() {
    // `segment` and `is_key` find a child by binary search over its parent's entries,
    // on the grounds that ids follow document order: held against a scan on a document
    // with merge keys, aliases, flow and block collections, and a duplicate key.
    let text = "x-base: &base\n  a: 1\n  b: [1, {c: 2}]\nservices:\n  web:\n    <<: *base\n    image: nginx\n    environment: {A: 1, B: *base}\n    ports:\n      - \"80:80\"\n      - [1, 2, [3]]\n  db: {image: postgres, image: mysql}\n";
    let p = parse(text);
    let tree = &p.tree;
    let mut checked = 0;
    for id in tree.ids() {
        let Some(parent) = tree.parent(id) else {
            continue;
        };
        let (expected, key) = match tree.node(parent).kind {
            NodeKind::Sequence { .. } => (
                tree.items(parent)
                    .iter()
                    .position(|&i| i == id)
                    .map(PathSegment::Index),
                false,
            ),
            NodeKind::Mapping { .. } => {
                let entry = tree
                    .raw_entries(parent)
                    .iter()
                    .find(|e| e.key == id || e.value == id);
                (
                    entry.map(|e| PathSegment::Key(tree.key_text(e.key))),
                    entry.is_some_and(|e| e.key == id),
                )
            }
            _ => continue,
        };
        assert_eq!(tree.segment(id), expected, "{}", tree.path_string(id));
        assert_eq!(tree.is_key(id), key, "{}", tree.path_string(id));
        checked += 1;
    }
    assert!(checked > 30, "{checked}");
}
