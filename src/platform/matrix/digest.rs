//! The weekly digest on Matrix: the text as one message, then the check-in chart as
//! an image (encrypted like any attachment in an encrypted room). Both carry
//! transaction ids derived from the digest's key, so a retry posts neither twice.
//! When the homeserver will not take the picture (too large, media refused), the
//! chart follows as text instead; only a rate limit makes the engine try again later.

use matrix_sdk::attachment::AttachmentConfig;
use matrix_sdk::ruma::api::error::ErrorKind;
use serde_json::json;

use super::post::{DELIVERY_FIELD, MatrixPlatform, classify, send_keyed};
use crate::platform::{OutboundDigest, SendError};

impl MatrixPlatform {
    pub(super) async fn send_digest(
        &self,
        d: &OutboundDigest,
    ) -> Result<Option<String>, SendError> {
        let room = self.room(&d.channel).await?;
        let text = if d.chart.is_some() {
            d.text.clone()
        } else {
            d.text_with_sparkline()
        };
        let content = json!({
            "msgtype": if self.notice() { "m.notice" } else { "m.text" },
            "body": text,
            DELIVERY_FIELD: d.key,
        });
        let event = send_keyed(&room, content, d.key.clone())
            .await
            .map_err(classify)?
            .to_string();
        let Some(png) = &d.chart else {
            return Ok(Some(event));
        };
        let config = AttachmentConfig::new().txn_id(format!("{}-chart", d.key).into());
        let upload = room
            .send_attachment(
                OutboundDigest::CHART_FILE,
                &mime::IMAGE_PNG,
                png.clone(),
                config,
            )
            .await;
        let Err(e) = upload else {
            return Ok(Some(event));
        };
        if matches!(e.client_api_error_kind(), Some(ErrorKind::LimitExceeded(_))) {
            return Err(classify(e));
        }
        tracing::warn!(digest = d.digest_id, error = %e, "the chart could not be uploaded; sending it as text");
        let spark = d.sparkline.clone().unwrap_or_default();
        let key = format!("{}-spark", d.key);
        let content = json!({"msgtype": "m.notice", "body": spark, DELIVERY_FIELD: key});
        send_keyed(&room, content, key).await.map_err(classify)?;
        Ok(Some(event))
    }
}
