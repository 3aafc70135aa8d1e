//! REST routes under /api/v10, answering with complete objects.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Path, State as Ax};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post, put};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::{Fault, Recorded, Route, State, fixtures};

type S = (Arc<Mutex<State>>, u16);

pub(super) fn router(state: Arc<Mutex<State>>, port: u16) -> Router {
    Router::new()
        .route("/ws", get(ws))
        .route("/api/v10/gateway", get(gateway_url))
        .route("/api/v10/gateway/bot", get(gateway_url))
        .route("/api/v10/users/@me", get(me))
        .route("/api/v10/applications/{app}/commands", put(commands_global))
        .route(
            "/api/v10/applications/{app}/guilds/{guild}/commands",
            put(commands_guild),
        )
        .route(
            "/api/v10/channels/{channel}/messages",
            post(create_message).get(list_messages),
        )
        .route(
            "/api/v10/channels/{channel}/messages/{message}",
            get(get_message),
        )
        .route(
            "/api/v10/channels/{channel}/messages/{message}/reactions/{emoji}/@me",
            put(add_own_reaction),
        )
        .route(
            "/api/v10/channels/{channel}/messages/{message}/reactions/{emoji}",
            get(reaction_users),
        )
        .route(
            "/api/v10/channels/{channel}/messages/{message}/threads",
            post(create_thread),
        )
        .route(
            "/api/v10/interactions/{id}/{token}/callback",
            post(interaction_callback),
        )
        .fallback(any(unknown))
        .with_state((state, port))
}

fn record(st: &Arc<Mutex<State>>, method: &str, uri: &Uri, body: &[u8]) {
    let body = serde_json::from_slice(body).unwrap_or(Value::Null);
    st.lock().unwrap().requests.push(Recorded {
        method: method.into(),
        path: uri.path().to_string(),
        body,
    });
}

fn ratelimit_headers(h: &mut HeaderMap) {
    for (k, v) in [
        ("x-ratelimit-limit", "5"),
        ("x-ratelimit-remaining", "4"),
        ("x-ratelimit-reset-after", "1.0"),
        ("x-ratelimit-bucket", "fake-bucket"),
    ] {
        h.insert(k, HeaderValue::from_static(v));
    }
}

fn ok(v: Value) -> Response {
    let mut r = Json(v).into_response();
    ratelimit_headers(r.headers_mut());
    r
}

fn fault_response(f: Fault) -> Response {
    match f {
        Fault::RateLimited {
            retry_after,
            global,
        } => {
            let body = json!({"message": "You are being rate limited.", "retry_after": retry_after, "global": global, "code": 0});
            let mut r = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
            let h = r.headers_mut();
            h.insert(
                "retry-after",
                HeaderValue::from_str(&format!("{}", retry_after.ceil() as u64)).unwrap(),
            );
            h.insert("x-ratelimit-limit", HeaderValue::from_static("5"));
            h.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
            h.insert(
                "x-ratelimit-reset-after",
                HeaderValue::from_str(&retry_after.to_string()).unwrap(),
            );
            h.insert(
                "x-ratelimit-bucket",
                HeaderValue::from_static("fake-bucket"),
            );
            if global {
                h.insert("x-ratelimit-global", HeaderValue::from_static("true"));
            }
            h.insert(
                "x-ratelimit-scope",
                HeaderValue::from_static(if global { "global" } else { "user" }),
            );
            r
        }
        Fault::Status(code) => {
            let (msg, dcode) = match code {
                403 => ("Missing Permissions", 50013),
                404 => ("Unknown Channel", 10003),
                _ => ("Internal Server Error", 0),
            };
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, Json(json!({"message": msg, "code": dcode}))).into_response()
        }
    }
}

async fn ws(Ax((st, port)): Ax<S>, upgrade: WebSocketUpgrade) -> Response {
    if st.lock().unwrap().refuse_gateway {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    upgrade.on_upgrade(move |socket| super::gateway::session(socket, st, port))
}

async fn gateway_url(Ax((st, port)): Ax<S>, uri: Uri) -> Response {
    record(&st, "GET", &uri, b"");
    ok(json!({
        "url": format!("ws://127.0.0.1:{port}/ws"), "shards": 1,
        "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
    }))
}

async fn me(Ax((st, _)): Ax<S>, uri: Uri) -> Response {
    record(&st, "GET", &uri, b"");
    ok(fixtures::user(fixtures::BOT_ID, "hearth", true))
}

async fn commands_global(Ax((st, _)): Ax<S>, uri: Uri, body: Bytes) -> Response {
    record(&st, "PUT", &uri, &body);
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let out = fixtures::registered_commands(&v, None);
    st.lock().unwrap().commands = out.as_array().cloned().unwrap_or_default();
    ok(out)
}

async fn commands_guild(
    Ax((st, _)): Ax<S>,
    Path((_app, guild)): Path<(String, String)>,
    uri: Uri,
    body: Bytes,
) -> Response {
    record(&st, "PUT", &uri, &body);
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let out = fixtures::registered_commands(&v, Some(&guild));
    st.lock().unwrap().commands = out.as_array().cloned().unwrap_or_default();
    ok(out)
}

async fn create_message(
    Ax((st, _)): Ax<S>,
    Path(channel): Path<String>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let (v, files) = match super::multipart::boundary(&headers) {
        Some(b) => super::multipart::parse(&b, &body),
        None => (serde_json::from_slice(&body).unwrap_or(Value::Null), vec![]),
    };
    record(&st, "POST", &uri, v.to_string().as_bytes());
    let mut s = st.lock().unwrap();
    if let Some(f) = s.take_fault(Route::CreateMessage) {
        return fault_response(f);
    }
    if !files.is_empty() && s.refuse_files {
        return fault_response(Fault::Status(403));
    }
    let nonce = v["nonce"].as_str().map(str::to_string);
    if let (Some(n), true) = (&nonce, v["enforce_nonce"] == true)
        && let Some(existing) = s.nonces.get(&(channel.clone(), n.clone())).cloned()
    {
        let msg = s
            .messages
            .get(&channel)
            .and_then(|l| l.iter().find(|m| m["id"] == existing.as_str()))
            .cloned();
        return ok(msg.unwrap_or(Value::Null));
    }
    let id = s.id();
    let mut msg = fixtures::message(
        &id,
        &channel,
        fixtures::user(fixtures::BOT_ID, "hearth", true),
        v["content"].as_str().unwrap_or(""),
        v.get("embeds").cloned().unwrap_or(json!([])),
        nonce.as_deref(),
    );
    if let Some(c) = v.get("components") {
        msg["components"] = c.clone();
    }
    if !files.is_empty() {
        let mut list = Vec::new();
        for f in &files {
            let aid = s.id();
            let url = format!(
                "https://cdn.discordapp.com/attachments/{channel}/{aid}/{}",
                f.filename
            );
            list.push(json!({
                "id": aid, "filename": f.filename, "size": f.bytes.len(), "url": url,
                "proxy_url": url, "content_type": f.content_type,
            }));
        }
        msg["attachments"] = Value::Array(list);
        s.files.insert(id.clone(), files);
    }
    if let Some(n) = nonce {
        s.nonces.insert((channel.clone(), n), id);
    }
    s.messages.entry(channel).or_default().push(msg.clone());
    ok(msg)
}

fn with_reactions(s: &State, mut msg: Value) -> Value {
    let id = msg["id"].as_str().unwrap_or_default().to_string();
    let mut counts: Vec<(String, usize, bool)> = Vec::new();
    for (e, u) in s.reactions.get(&id).into_iter().flatten() {
        match counts.iter_mut().find(|(x, _, _)| x == e) {
            Some(c) => {
                c.1 += 1;
                c.2 |= u == fixtures::BOT_ID;
            }
            None => counts.push((e.clone(), 1, u == fixtures::BOT_ID)),
        }
    }
    msg["reactions"] = Value::Array(
        counts
            .iter()
            .map(|(e, n, me)| fixtures::reaction_count(e, *n, *me))
            .collect(),
    );
    msg
}

async fn list_messages(Ax((st, _)): Ax<S>, Path(channel): Path<String>, uri: Uri) -> Response {
    record(&st, "GET", &uri, b"");
    let mut s = st.lock().unwrap();
    if let Some(f) = s.take_fault(Route::GetMessages) {
        return fault_response(f);
    }
    let list: Vec<Value> = s.messages.get(&channel).cloned().unwrap_or_default();
    let newest_first: Vec<Value> = list
        .into_iter()
        .rev()
        .take(50)
        .map(|m| with_reactions(&s, m))
        .collect();
    ok(Value::Array(newest_first))
}

async fn get_message(
    Ax((st, _)): Ax<S>,
    Path((channel, message)): Path<(String, String)>,
    uri: Uri,
) -> Response {
    record(&st, "GET", &uri, b"");
    let s = st.lock().unwrap();
    match s
        .messages
        .get(&channel)
        .and_then(|l| l.iter().find(|m| m["id"] == message.as_str()))
    {
        Some(m) => ok(with_reactions(&s, m.clone())),
        None => fault_response(Fault::Status(404)),
    }
}

async fn add_own_reaction(
    Ax((st, _)): Ax<S>,
    Path((_c, message, emoji)): Path<(String, String, String)>,
    uri: Uri,
) -> Response {
    record(&st, "PUT", &uri, b"");
    let mut s = st.lock().unwrap();
    if let Some(f) = s.take_fault(Route::CreateReaction) {
        return fault_response(f);
    }
    s.reactions
        .entry(message)
        .or_default()
        .push((emoji, fixtures::BOT_ID.to_string()));
    let mut r = StatusCode::NO_CONTENT.into_response();
    ratelimit_headers(r.headers_mut());
    r
}

async fn reaction_users(
    Ax((st, _)): Ax<S>,
    Path((_c, message, emoji)): Path<(String, String, String)>,
    uri: Uri,
) -> Response {
    record(&st, "GET", &uri, b"");
    let s = st.lock().unwrap();
    let users: Vec<Value> = s
        .reactions
        .get(&message)
        .into_iter()
        .flatten()
        .filter(|(e, _)| *e == emoji)
        .map(|(_, u)| fixtures::user(u, "someone", u == fixtures::BOT_ID))
        .collect();
    ok(Value::Array(users))
}

async fn create_thread(
    Ax((st, _)): Ax<S>,
    Path((channel, message)): Path<(String, String)>,
    uri: Uri,
    body: Bytes,
) -> Response {
    record(&st, "POST", &uri, &body);
    // Like Discord: a thread started from a message shares the message's id.
    ok(fixtures::thread(&message, &channel, "Talk about it here"))
}

async fn interaction_callback(
    Ax((st, _)): Ax<S>,
    Path((id, _t)): Path<(String, String)>,
    uri: Uri,
    body: Bytes,
) -> Response {
    record(&st, "POST", &uri, &body);
    // Multipart bodies (with files) carry the JSON in a part named payload_json.
    let v: Value = serde_json::from_slice(&body).unwrap_or_else(|_| {
        let text = String::from_utf8_lossy(&body);
        text.find("{\"type\"")
            .and_then(|start| {
                serde_json::Deserializer::from_str(&text[start..])
                    .into_iter::<Value>()
                    .next()
            })
            .and_then(Result::ok)
            .unwrap_or(Value::Null)
    });
    st.lock().unwrap().interaction_responses.push((id, v));
    StatusCode::NO_CONTENT.into_response()
}

async fn unknown(Ax((st, _)): Ax<S>, method: Method, uri: Uri, body: Bytes) -> Response {
    record(&st, method.as_str(), &uri, &body);
    (
        StatusCode::NOT_FOUND,
        Json(json!({"message": "404: Not Found", "code": 0})),
    )
        .into_response()
}
