//! The HTML part of an email: every value is escaped, so a username like `<script>` arrives as
//! text, never as markup.

use crate::templates::Content;
use std::fmt::Write;

/// Escapes the five characters that are special in HTML text and attribute values.
pub(crate) fn escape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// A small, inline-styled document: mail clients ignore `<style>` blocks more often than not.
pub(crate) fn render(content: &Content) -> String {
    let mut body = String::new();
    let _ = writeln!(body, "<p>{}</p>", escape(&content.greeting));
    for paragraph in &content.paragraphs {
        let _ = writeln!(body, "<p>{}</p>", escape(paragraph));
    }
    if let Some(action) = &content.action {
        let url = escape(&action.url);
        let _ = writeln!(
            body,
            "<p><a href=\"{url}\" style=\"display:inline-block;padding:10px 18px;\
             background:#1d4ed8;color:#ffffff;text-decoration:none;border-radius:4px\">{}</a></p>",
            escape(&action.label)
        );
        let _ = writeln!(
            body,
            "<p style=\"font-size:13px;color:#555555\">Or open this link:<br>\n\
             <a href=\"{url}\">{url}</a></p>"
        );
    }
    for note in &content.notes {
        let _ = writeln!(
            body,
            "<p style=\"font-size:13px;color:#555555\">{}</p>",
            escape(note)
        );
    }
    format!(
        "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n</head>\n\
         <body style=\"font-family:Arial,Helvetica,sans-serif;line-height:1.5;color:#111111\">\n\
         {body}</body>\n</html>\n",
        escape(&content.subject)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_a_value_is_escaped() {
        assert_eq!(
            escape(r#"<b onclick="x">Tom & 'Jerry'</b>"#),
            "&lt;b onclick=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/b&gt;"
        );
    }
}
