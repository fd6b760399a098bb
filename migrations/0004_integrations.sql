-- Webhook endpoints per organisation, every delivery attempt, inbound callback ids seen, and
-- the outbox indexes the dispatcher claims and orders by.

-- One endpoint per organisation. `secret` (whsec_) signs v1 deliveries and verifies the
-- organisation's inbound callbacks; in v1a mode deliveries are signed with `signing_key`
-- (whsk_) and receivers verify with `public_key` (whpk_). During a rotation the previous key
-- still signs until previous_until, so receivers can switch over without losing a delivery.
CREATE TABLE endpoints (
  org_id BIGINT NOT NULL PRIMARY KEY,
  url VARCHAR(2000) NOT NULL,
  mode ENUM('v1', 'v1a') NOT NULL DEFAULT 'v1',
  secret VARCHAR(200) NOT NULL,
  signing_key VARCHAR(200) NULL,
  public_key VARCHAR(100) NULL,
  previous_secret VARCHAR(200) NULL,
  previous_signing_key VARCHAR(200) NULL,
  previous_until DATETIME(6) NULL,
  disabled TINYINT(1) NOT NULL DEFAULT 0,
  disabled_reason VARCHAR(300) NULL,
  disabled_at DATETIME(6) NULL,
  created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  updated_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  rotated_at DATETIME(6) NULL,
  CONSTRAINT fk_endpoint_org FOREIGN KEY (org_id) REFERENCES organisations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Every delivery attempt, successful or not, so the office can see why an event failed.
CREATE TABLE delivery_attempts (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  event_id BIGINT NOT NULL,
  org_id BIGINT NOT NULL,
  attempt INT NOT NULL,
  url VARCHAR(2000) NOT NULL,
  status_code INT NULL,
  duration_ms INT NOT NULL,
  response_excerpt VARCHAR(1000) NULL,
  error VARCHAR(500) NULL,
  at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  KEY ix_attempt_event (event_id, id),
  KEY ix_attempt_org (org_id, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Inbound callbacks already applied, by the sender's webhook-id: a repeat is acknowledged
-- with the first reply and changes nothing.
CREATE TABLE inbound_callbacks (
  org_id BIGINT NOT NULL,
  webhook_id VARCHAR(255) NOT NULL,
  kind VARCHAR(16) NOT NULL,
  status INT NOT NULL,
  response MEDIUMTEXT NOT NULL,
  body MEDIUMTEXT NOT NULL,
  received_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  PRIMARY KEY (org_id, webhook_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Why the last attempt failed, shown with dead events; the claim and ordering indexes.
ALTER TABLE outbox
  ADD COLUMN last_error VARCHAR(500) NULL,
  ADD COLUMN dead_at DATETIME(6) NULL,
  ADD KEY ix_outbox_claim (status, next_attempt_at, id),
  ADD KEY ix_outbox_order (org_id, application_id, status, id),
  ADD KEY ix_outbox_status (status, id);
