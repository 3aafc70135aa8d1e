//! Logging in once and keeping the session: the bot stays one device with the same keys.

use std::path::PathBuf;

use anyhow::Context as _;
use matrix_sdk::Client;
use matrix_sdk::authentication::matrix::MatrixSession;

use crate::app::Hearth;
use crate::config::{MatrixConfig, Secret};

fn store_dir(h: &Hearth, cfg: &MatrixConfig) -> PathBuf {
    cfg.store_dir
        .as_ref()
        .map(PathBuf::from)
        .unwrap_or_else(|| h.config.database.with_file_name("matrix-store"))
}

/// Logs in (first start) or restores the saved session (every later start).
pub async fn client(
    h: &Hearth,
    cfg: &MatrixConfig,
    tokens: &crate::run::Tokens,
) -> anyhow::Result<Client> {
    let dir = store_dir(h, cfg);
    std::fs::create_dir_all(&dir).with_context(|| format!("while creating {}", dir.display()))?;
    let client = Client::builder()
        .homeserver_url(&cfg.homeserver)
        .sqlite_store(dir.join("sdk"), None)
        .build()
        .await
        .context("while setting up the Matrix client")?;
    let session_file = dir.join("session.json");
    if let Ok(text) = std::fs::read_to_string(&session_file) {
        let session: MatrixSession =
            serde_json::from_str(&text).context("while reading the saved Matrix session")?;
        client
            .restore_session(session)
            .await
            .context("while restoring the Matrix session")?;
        tracing::info!(user = %cfg.user, "Matrix session restored");
        return Ok(client);
    }
    if let Some(token) = &tokens.matrix_access_token {
        let session = session_for_token(cfg, token).await?;
        client
            .restore_session(session)
            .await
            .context("while starting a session from the access token")?;
        tracing::info!(user = %cfg.user, "Matrix session started from an access token");
    } else {
        let password = tokens.matrix_password.as_ref().ok_or_else(|| {
            anyhow::anyhow!("matrix: no saved session, and neither a password nor an access token in the environment")
        })?;
        client
            .matrix_auth()
            .login_username(&cfg.user, password.expose())
            .initial_device_display_name("hearth")
            .await
            .context("while logging in to Matrix")?;
        tracing::info!(user = %cfg.user, "logged in to Matrix");
    }
    let session = client
        .matrix_auth()
        .session()
        .context("no Matrix session after logging in")?;
    crate::store::write_private_file(&session_file, &serde_json::to_vec(&session)?)?;
    Ok(client)
}

/// Asks the homeserver which user and device an access token belongs to.
async fn session_for_token(cfg: &MatrixConfig, token: &Secret) -> anyhow::Result<MatrixSession> {
    use matrix_sdk::SessionMeta;
    use matrix_sdk::authentication::SessionTokens;
    let url = format!(
        "{}/_matrix/client/v3/account/whoami",
        cfg.homeserver.trim_end_matches('/')
    );
    let resp = matrix_sdk::reqwest::Client::new()
        .get(url)
        .bearer_auth(token.expose())
        .send()
        .await
        .context("while asking the homeserver who the access token belongs to")?;
    let status = resp.status();
    let body = resp
        .bytes()
        .await
        .context("while reading the whoami answer")?;
    let v: serde_json::Value =
        serde_json::from_slice(&body).context("while reading the whoami answer")?;
    if !status.is_success() {
        anyhow::bail!("the homeserver refused the access token ({status})");
    }
    let user_id = v["user_id"]
        .as_str()
        .unwrap_or_default()
        .parse()
        .context("whoami: user id")?;
    let device_id = v["device_id"]
        .as_str()
        .context("whoami: the token has no device")?
        .into();
    Ok(MatrixSession {
        meta: SessionMeta { user_id, device_id },
        tokens: SessionTokens {
            access_token: token.expose().to_string(),
            refresh_token: None,
        },
    })
}
