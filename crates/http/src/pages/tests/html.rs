//! The pages' markup, read tag by tag: no inline script or style anywhere (the policy would
//! block it, and the page would silently not work), accessible form controls, and the stable
//! ids a browser test drives.

use crate::pages::{RESET_PASSWORD, UNLOCK_ACCOUNT, VERIFY_EMAIL};
use std::collections::HashMap;

/// One start or end tag: its lower-cased name, its attributes, and the text that follows it up
/// to the next tag.
#[derive(Debug)]
struct Tag {
    name: String,
    closing: bool,
    attributes: HashMap<String, String>,
    text_after: String,
}

/// The tags of `html`, in order; panics on markup this reader does not understand (an
/// unterminated tag or attribute), which the pages must not contain either.
fn tags(html: &str) -> Vec<Tag> {
    let mut tags = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        if let Some(comment) = after.strip_prefix("!--") {
            let end = comment.find("-->").expect("a terminated comment");
            rest = &comment[end + 3..];
            continue;
        }
        let (tag, next) = read_tag(after);
        let text_end = next.find('<').unwrap_or(next.len());
        tags.push(Tag {
            text_after: next[..text_end].to_owned(),
            ..tag
        });
        rest = next;
    }
    tags
}

/// The tag at the start of `s` (just after `<`) and what follows its `>`.
fn read_tag(s: &str) -> (Tag, &str) {
    let closing = s.starts_with('/');
    let s = s.trim_start_matches('/');
    let name_end = s
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .expect("a terminated tag");
    let name = s[..name_end].to_ascii_lowercase();
    let mut rest = &s[name_end..];
    let mut attributes = HashMap::new();
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        if let Some(after) = rest.strip_prefix('>') {
            let tag = Tag {
                name,
                closing,
                attributes,
                text_after: String::new(),
            };
            return (tag, after);
        }
        let key_end = rest
            .find(|c: char| c.is_whitespace() || c == '=' || c == '>')
            .expect("a terminated attribute");
        let key = rest[..key_end].to_ascii_lowercase();
        rest = &rest[key_end..];
        let value = if let Some(after) = rest.strip_prefix('=') {
            let quote = after.chars().next().expect("an attribute value");
            assert!(quote == '"' || quote == '\'', "unquoted value of {key}");
            let body = &after[1..];
            let end = body.find(quote).expect("a terminated attribute value");
            rest = &body[end + 1..];
            body[..end].to_owned()
        } else {
            String::new()
        };
        assert!(
            attributes.insert(key.clone(), value).is_none(),
            "{key} twice"
        );
    }
}

fn pages() -> [(&'static str, &'static str); 3] {
    [
        ("verify-email", VERIFY_EMAIL),
        ("reset-password", RESET_PASSWORD),
        ("unlock-account", UNLOCK_ACCOUNT),
    ]
}

fn by_id<'a>(tags: &'a [Tag], id: &str) -> Option<&'a Tag> {
    tags.iter()
        .find(|t| !t.closing && t.attributes.get("id").is_some_and(|v| v == id))
}

#[test]
fn no_page_has_inline_script_or_style() {
    for (name, html) in pages() {
        let tags = tags(html);
        assert!(tags.len() > 10, "{name}: read {} tags", tags.len());
        for (i, tag) in tags.iter().enumerate() {
            assert_ne!(tag.name, "style", "{name}: a <style> element");
            for (key, value) in &tag.attributes {
                assert_ne!(key, "style", "{name}: a style attribute on <{}>", tag.name);
                assert!(!key.starts_with("on"), "{name}: an event handler {key}");
                assert!(
                    !value
                        .trim_start()
                        .to_ascii_lowercase()
                        .starts_with("javascript:"),
                    "{name}: a javascript: URL"
                );
            }
            if tag.name == "script" && !tag.closing {
                assert_eq!(
                    tag.attributes.get("src").map(String::as_str),
                    Some("pages/pages.js"),
                    "{name}: a script without src"
                );
                let end = &tags[i + 1];
                assert!(end.closing && end.name == "script", "{name}");
                assert!(tag.text_after.trim().is_empty(), "{name}: inline script");
            }
        }
        let links: Vec<_> = tags
            .iter()
            .filter(|t| t.name == "link")
            .map(|t| (t.attributes["rel"].as_str(), t.attributes["href"].as_str()))
            .collect();
        // The icon named, or the browser asks for /favicon.ico (a 404 in its console).
        assert_eq!(
            links,
            [
                ("icon", "pages/favicon.svg"),
                ("stylesheet", "pages/pages.css")
            ],
            "{name}"
        );
    }
}

#[test]
fn each_page_is_accessible_and_fits_a_phone() {
    for (name, html) in pages() {
        let tags = tags(html);
        let root = tags.iter().find(|t| t.name == "html").expect("<html>");
        assert_eq!(root.attributes.get("lang").map(String::as_str), Some("en"));
        let viewport = tags
            .iter()
            .find(|t| t.attributes.get("name").is_some_and(|n| n == "viewport"))
            .expect("a viewport");
        assert!(viewport.attributes["content"].contains("width=device-width"));
        let title = tags.iter().find(|t| t.name == "title").expect("<title>");
        assert!(!title.text_after.trim().is_empty(), "{name}");
        assert!(
            tags.iter().any(|t| t.name == "noscript"),
            "{name}: <noscript>"
        );
        let referrer = tags
            .iter()
            .find(|t| t.attributes.get("name").is_some_and(|n| n == "referrer"))
            .expect("a referrer policy of the document itself");
        assert_eq!(referrer.attributes["content"], "no-referrer");
        for input in tags.iter().filter(|t| t.name == "input") {
            let id = &input.attributes["id"];
            assert!(
                tags.iter()
                    .any(|t| t.name == "label" && t.attributes.get("for") == Some(id)),
                "{name}: #{id} has no label"
            );
        }
        let body = tags.iter().find(|t| t.name == "body").expect("<body>");
        assert_eq!(body.attributes["data-page"], name);
    }
}

#[test]
fn the_elements_a_browser_test_drives_have_stable_ids() {
    for (name, html) in pages() {
        let tags = tags(html);
        let status = by_id(&tags, "status").unwrap_or_else(|| panic!("{name}: #status"));
        assert_eq!(status.attributes["data-state"], "pending");
        assert_eq!(status.attributes["role"], "status");
        let submit = by_id(&tags, "submit").unwrap_or_else(|| panic!("{name}: #submit"));
        assert_eq!(submit.name, "button");
        // Enabled by the script once it has read the token: without script nothing is sent.
        assert!(submit.attributes.contains_key("disabled"), "{name}");
    }
    let tags = tags(RESET_PASSWORD);
    for id in ["new-password", "confirm-password"] {
        let input = by_id(&tags, id).unwrap_or_else(|| panic!("#{id}"));
        assert_eq!(input.attributes["type"], "password");
        assert_eq!(input.attributes["autocomplete"], "new-password");
    }
    // Never a GET: a form sent without the script must not put the password in an address.
    let form = by_id(&tags, "reset-form").expect("#reset-form");
    assert_eq!(form.attributes["method"], "post");
}
