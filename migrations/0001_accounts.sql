-- Districts, organisations, users, sessions, API keys, login throttling and the audit log.

CREATE TABLE districts (
  code VARCHAR(32) NOT NULL PRIMARY KEY,
  name_zh VARCHAR(100) NOT NULL,
  name_en VARCHAR(100) NOT NULL,
  kind ENUM('district', 'county', 'development_zone') NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- The city's districts and development zones (a sample city; the office edits them).
INSERT INTO districts (code, name_zh, name_en, kind) VALUES
  ('lixia', '历下区', 'Lixia District', 'district'),
  ('shizhong', '市中区', 'Shizhong District', 'district'),
  ('huaiyin', '槐荫区', 'Huaiyin District', 'district'),
  ('tianqiao', '天桥区', 'Tianqiao District', 'district'),
  ('licheng', '历城区', 'Licheng District', 'district'),
  ('changqing', '长清区', 'Changqing District', 'district'),
  ('pingyin', '平阴县', 'Pingyin County', 'county'),
  ('hitech', '高新区', 'High-tech Development Zone', 'development_zone');

CREATE TABLE organisations (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  kind ENUM('applicant', 'utility', 'authority', 'office') NOT NULL,
  subkind ENUM('water', 'power', 'gas', 'heat', 'network', 'road', 'greening', 'planning') NULL,
  district_code VARCHAR(32) NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  UNIQUE KEY uq_org_name (name),
  KEY ix_org_kind (kind, subkind),
  CONSTRAINT fk_org_district FOREIGN KEY (district_code) REFERENCES districts (code),
  CONSTRAINT ck_org_subkind CHECK (
    (kind = 'utility' AND subkind IN ('water', 'power', 'gas', 'heat', 'network')) OR
    (kind = 'authority' AND subkind IN ('road', 'greening', 'planning')) OR
    (kind IN ('applicant', 'office') AND subkind IS NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE users (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  org_id BIGINT NOT NULL,
  email VARCHAR(254) NOT NULL,
  name VARCHAR(200) NOT NULL DEFAULT '',
  password_hash VARCHAR(255) NULL,
  role ENUM('member', 'admin') NOT NULL DEFAULT 'member',
  active TINYINT(1) NOT NULL DEFAULT 1,
  created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  UNIQUE KEY uq_user_email (email),
  KEY ix_user_org (org_id),
  CONSTRAINT fk_user_org FOREIGN KEY (org_id) REFERENCES organisations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Bearer tokens for people: only the BLAKE2b hash of the token is kept.
CREATE TABLE sessions (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  token_hash BINARY(32) NOT NULL,
  user_id BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  expires_at DATETIME(6) NOT NULL,
  last_seen_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  revoked_at DATETIME(6) NULL,
  UNIQUE KEY uq_session_token (token_hash),
  KEY ix_session_user (user_id),
  CONSTRAINT fk_session_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Keys for utility and authority systems: shown once, stored hashed, recognisable by prefix.
CREATE TABLE api_keys (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  org_id BIGINT NOT NULL,
  prefix VARCHAR(24) NOT NULL,
  key_hash BINARY(32) NOT NULL,
  label VARCHAR(200) NOT NULL DEFAULT '',
  created_by BIGINT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  last_used_at DATETIME(6) NULL,
  revoked_at DATETIME(6) NULL,
  UNIQUE KEY uq_api_key_hash (key_hash),
  KEY ix_api_key_org (org_id),
  CONSTRAINT fk_api_key_org FOREIGN KEY (org_id) REFERENCES organisations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Failed-login counters per account and per client address (scope 'acct:<email>' / 'ip:<addr>').
CREATE TABLE login_throttle (
  scope VARCHAR(300) NOT NULL PRIMARY KEY,
  failures INT NOT NULL DEFAULT 0,
  window_start DATETIME(6) NOT NULL,
  blocked_until DATETIME(6) NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Append-only record of every state change, publication, login and admin action. Each entry
-- holds the BLAKE2b hash of the previous one; audit_head serialises appends.
CREATE TABLE audit_log (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  at DATETIME(6) NOT NULL,
  actor_user_id BIGINT NULL,
  actor_org_id BIGINT NULL,
  action VARCHAR(64) NOT NULL,
  object_type VARCHAR(32) NOT NULL,
  object_id VARCHAR(64) NOT NULL,
  detail TEXT NOT NULL,
  prev_hash CHAR(64) NOT NULL,
  hash CHAR(64) NOT NULL,
  KEY ix_audit_object (object_type, object_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE audit_head (
  id TINYINT NOT NULL PRIMARY KEY,
  last_id BIGINT NOT NULL,
  last_hash CHAR(64) NOT NULL
) ENGINE=InnoDB;
INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 0, REPEAT('0', 64));

-- One-time invitations: an admin invites a person, who sets a password with the token.
CREATE TABLE invitations (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  token_hash BINARY(32) NOT NULL,
  user_id BIGINT NOT NULL,
  expires_at DATETIME(6) NOT NULL,
  used_at DATETIME(6) NULL,
  UNIQUE KEY uq_invitation_token (token_hash),
  CONSTRAINT fk_invitation_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
