//! Message creates with files come as multipart/form-data, like Discord takes them:
//! the message JSON in a part named `payload_json`, each file in `files[n]`.

use axum::http::HeaderMap;
use serde_json::Value;

/// A file uploaded with a message.
#[derive(Debug, Clone)]
pub struct Upload {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The boundary of a multipart body, if the request is one.
pub fn boundary(headers: &HeaderMap) -> Option<String> {
    let ct = headers.get("content-type")?.to_str().ok()?;
    if !ct.starts_with("multipart/form-data") {
        return None;
    }
    let b = ct
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))?;
    Some(b.trim_matches('"').to_string())
}

/// The message JSON and the files of a multipart body.
pub fn parse(boundary: &str, body: &[u8]) -> (Value, Vec<Upload>) {
    let delim = format!("--{boundary}").into_bytes();
    let mut payload = Value::Null;
    let mut files = Vec::new();
    for part in split(body, &delim) {
        let Some(at) = find(part, b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&part[..at]).to_string();
        let mut content = &part[at + 4..];
        if content.ends_with(b"\r\n") {
            content = &content[..content.len() - 2];
        }
        let field = |key: &str| {
            head.split(';')
                .find_map(|p| p.trim().strip_prefix(&format!("{key}=\"")))
                .and_then(|v| v.split('"').next())
                .map(str::to_string)
        };
        let name = field("name").unwrap_or_default();
        if name == "payload_json" {
            payload = serde_json::from_slice(content).unwrap_or(Value::Null);
        } else if name.starts_with("files[") {
            let content_type = head
                .lines()
                .find_map(|l| {
                    l.strip_prefix("content-type: ")
                        .or(l.strip_prefix("Content-Type: "))
                })
                .unwrap_or("application/octet-stream")
                .trim()
                .to_string();
            files.push(Upload {
                filename: field("filename").unwrap_or_default(),
                content_type,
                bytes: content.to_vec(),
            });
        }
    }
    (payload, files)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn split<'a>(body: &'a [u8], delim: &[u8]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(i) = find(rest, delim) {
        out.push(&rest[..i]);
        rest = &rest[i + delim.len()..];
    }
    out.into_iter()
        .skip(1)
        .map(|p| p.strip_prefix(b"\r\n").unwrap_or(p))
        .collect()
}
