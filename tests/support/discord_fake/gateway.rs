//! The gateway: HELLO, IDENTIFY → READY + GUILD_CREATE, heartbeats, dispatches.

use std::sync::{Arc, Mutex};

use axum::extract::ws::{Message, WebSocket};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::{State, fixtures};

pub enum Out {
    Dispatch(String, Value, u64),
    Close,
}

pub(super) async fn session(mut ws: WebSocket, state: Arc<Mutex<State>>, port: u16) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let hello = json!({"op": 10, "d": {"heartbeat_interval": 3000}, "s": null, "t": null});
    if ws
        .send(Message::Text(hello.to_string().into()))
        .await
        .is_err()
    {
        return;
    }
    loop {
        tokio::select! {
            incoming = ws.recv() => {
                let Some(Ok(msg)) = incoming else { break };
                let Message::Text(text) = msg else { continue };
                let Ok(v) = serde_json::from_str::<Value>(&text) else { continue };
                match v["op"].as_u64() {
                    Some(1) => {
                        let ack = json!({"op": 11, "d": null, "s": null, "t": null});
                        if ws.send(Message::Text(ack.to_string().into())).await.is_err() { break; }
                    }
                    Some(2) | Some(6) => {
                        // RESUME is answered like Discord does when it cannot resume:
                        // invalid session, then the client identifies afresh.
                        if v["op"] == 6 {
                            let inv = json!({"op": 9, "d": false, "s": null, "t": null});
                            let _ = ws.send(Message::Text(inv.to_string().into())).await;
                            continue;
                        }
                        let members = {
                            let mut s = state.lock().unwrap();
                            s.identifies.push(v["d"].clone());
                            s.sockets.push(tx.clone());
                            s.members.clone()
                        };
                        let resume = format!("ws://127.0.0.1:{port}/ws");
                        for (t, d) in [("READY", fixtures::ready("session-1", &resume)), ("GUILD_CREATE", fixtures::guild(&members))] {
                            let seq = { let mut s = state.lock().unwrap(); s.seq += 1; s.seq };
                            let frame = json!({"op": 0, "t": t, "s": seq, "d": d});
                            if ws.send(Message::Text(frame.to_string().into())).await.is_err() { return; }
                        }
                    }
                    _ => {}
                }
            }
            out = rx.recv() => match out {
                Some(Out::Dispatch(t, d, seq)) => {
                    let frame = json!({"op": 0, "t": t, "s": seq, "d": d});
                    if ws.send(Message::Text(frame.to_string().into())).await.is_err() { break; }
                }
                Some(Out::Close) | None => {
                    let _ = ws.send(Message::Close(None)).await;
                    break;
                }
            }
        }
    }
}
