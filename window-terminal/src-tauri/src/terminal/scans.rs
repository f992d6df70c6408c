//! The ID card read at the window and document scans (preview, accept → blob + event, discard).

#[allow(clippy::wildcard_imports)]
use super::*;

impl Terminal {
    /// Reads the card on the reader and attaches it to the current ticket (hall node when it has the
    /// route and answers; otherwise kept on this terminal with the ticket).
    pub async fn read_card(&self) -> Result<CardRead, CommandError> {
        let devices = Arc::clone(&self.devices);
        let card = tauri::async_runtime::spawn_blocking(move || devices.read_card())
            .await
            .map_err(|e| CommandError::new("internal", e.to_string()))?;
        self.emit(EVENT_DEVICES, self.device_status());
        let card = card.map_err(device_err)?;
        let name_masked = drivers::idcard::text::mask_name(&card.name);
        let id_masked = drivers::idcard::text::mask_id(&card.id_number);
        let Ok(ticket) = self.current_id() else {
            return Ok(CardRead {
                name_masked,
                id_masked,
                attached: false,
                stored: "none".into(),
            });
        };
        let mut stored = "local".to_owned();
        if let (Ok(client), Ok(token)) = (self.client(), self.token()) {
            let body = json!({"number": card.id_number, "name": card.name});
            let r = hall::request(
                &client,
                Method::POST,
                &paths::ticket_action(&ticket, "citizen"),
                Some(&body),
                Some(&token),
            )
            .await;
            if r.is_ok() {
                stored = "server".into();
            }
        }
        if let Some(t) = lock(&self.session).current.as_mut() {
            t.citizen_name = Some(name_masked.clone());
            t.citizen_id = Some(id_masked.clone());
        }
        Ok(CardRead {
            name_masked,
            id_masked,
            attached: true,
            stored,
        })
    }

    /// Captures and crops one document; it waits for accept or retake.
    pub async fn scan_capture(&self) -> Result<ScanPreview, CommandError> {
        let devices = Arc::clone(&self.devices);
        let scan = tauri::async_runtime::spawn_blocking(move || devices.scan())
            .await
            .map_err(|e| CommandError::new("internal", e.to_string()))?
            .map_err(device_err)?;
        let id = {
            let mut n = lock(&self.scan_seq);
            *n += 1;
            *n
        };
        let preview = ScanPreview {
            scan_id: id,
            width: scan.width,
            height: scan.height,
            bytes: scan.jpeg.len() as u64,
            sm3: scan.sm3.clone(),
            data_url: format!(
                "data:image/jpeg;base64,{}",
                base64::engine::general_purpose::STANDARD.encode(&scan.jpeg)
            ),
        };
        *lock(&self.scan) = Some(PendingScan { id, jpeg: scan.jpeg });
        Ok(preview)
    }

    /// Keeps the reviewed scan: a local blob plus a `blob.attached` event, uploaded by the syncer.
    pub fn scan_accept(&self, scan_id: u64) -> Result<ScanAccepted, CommandError> {
        let ticket_id = self.current_id()?;
        let pending = {
            let mut slot = lock(&self.scan);
            // A stale id (an earlier preview) must not consume the one under review.
            if slot.as_ref().is_some_and(|p| p.id == scan_id) {
                slot.take()
            } else {
                None
            }
        };
        let Some(p) = pending else {
            return Err(CommandError::new(
                "not_pending",
                "没有待确认的扫描件 / no scan awaiting review",
            ));
        };
        let digest = self.store.put_blob(&p.jpeg).map_err(store_err)?;
        let payload = json!({"ticket_id": ticket_id, "digest": digest, "media": "scan", "size": p.jpeg.len()});
        self.store
            .append(protocol::sync::kinds::BLOB_ATTACHED, 1, now_ms(), &payload)
            .map_err(store_err)?;
        if let Some(t) = lock(&self.session).current.as_mut() {
            t.scans += 1;
        }
        Ok(ScanAccepted {
            digest,
            ticket_id,
            waiting_blobs: self.store.waiting_blobs().map_err(store_err)?,
        })
    }

    pub fn scan_discard(&self) {
        *lock(&self.scan) = None;
    }
}
