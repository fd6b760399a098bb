-- Oversight: ratings and their follow-ups, signed certificates and the public keys that sign
-- them, the daily supervision digest guard, and the database account the portal runs as.

-- One rating per completed job or decided permit, by the applicant (rule 12).
CREATE TABLE ratings (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  object_type ENUM('job', 'permit') NOT NULL,
  object_id BIGINT NOT NULL,
  application_id BIGINT NOT NULL,
  rater_org_id BIGINT NOT NULL,
  rater_user_id BIGINT NULL,
  rated_org_id BIGINT NOT NULL,
  score ENUM('good', 'average', 'bad') NOT NULL,
  comment TEXT NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  UNIQUE KEY uq_rating_object (object_type, object_id),
  KEY ix_rating_rated (rated_org_id, id),
  CONSTRAINT fk_rating_application FOREIGN KEY (application_id) REFERENCES applications (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- A bad rating opens a follow-up: the rated organisation answers, the office closes.
CREATE TABLE follow_ups (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  rating_id BIGINT NOT NULL,
  org_id BIGINT NOT NULL,
  status ENUM('open', 'answered', 'closed') NOT NULL DEFAULT 'open',
  answer TEXT NULL,
  answered_by BIGINT NULL,
  answered_at DATETIME(6) NULL,
  close_note TEXT NULL,
  closed_by BIGINT NULL,
  closed_at DATETIME(6) NULL,
  created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  UNIQUE KEY uq_follow_up_rating (rating_id),
  KEY ix_follow_up_org (org_id, id),
  CONSTRAINT fk_follow_up_rating FOREIGN KEY (rating_id) REFERENCES ratings (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Public halves of every key that ever signed a certificate; the private key stays in the
-- key file (mode 0600). retired_at is set when a rotation replaces the key.
CREATE TABLE signing_keys (
  key_id VARCHAR(32) NOT NULL PRIMARY KEY,
  algorithm VARCHAR(16) NOT NULL DEFAULT 'ed25519',
  public_key VARCHAR(64) NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  retired_at DATETIME(6) NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Certificate numbers EC-YYYY-NNNNNN, one counter per year.
CREATE TABLE certificate_counters (
  year SMALLINT NOT NULL PRIMARY KEY,
  next_value BIGINT NOT NULL
) ENGINE=InnoDB;

-- Signed certificates: `document` is the exact canonical text that was signed
-- (docs/CERTIFICATES.md); the status (valid, expired, revoked) is worked out when read.
CREATE TABLE certificates (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  number VARCHAR(24) NOT NULL,
  object_type ENUM('job', 'permit') NOT NULL,
  object_id BIGINT NOT NULL,
  application_id BIGINT NOT NULL,
  key_id VARCHAR(32) NOT NULL,
  document TEXT NOT NULL,
  signature VARCHAR(128) NOT NULL,
  valid_to DATE NULL,
  issued_at DATETIME(6) NOT NULL,
  UNIQUE KEY uq_certificate_number (number),
  UNIQUE KEY uq_certificate_object (object_type, object_id),
  CONSTRAINT fk_certificate_application FOREIGN KEY (application_id) REFERENCES applications (id),
  CONSTRAINT fk_certificate_key FOREIGN KEY (key_id) REFERENCES signing_keys (key_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- The daily supervision digest runs at most once per day across every portal instance.
CREATE TABLE digest_runs (
  day DATE NOT NULL PRIMARY KEY,
  ran_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  events INT NOT NULL DEFAULT 0
) ENGINE=InnoDB;

-- The account the portal serves as (rule 17: it cannot rewrite history). Created locked: the
-- operator sets its password and unlocks it (README, docs/DEPLOY.md). It may read and add
-- everywhere in this database; it may change and delete everywhere except audit_log.
-- Migrations keep running as an administrative account. A later migration that adds tables
-- grants UPDATE, DELETE on them the same way (SELECT and INSERT come from the database grant).
CREATE USER IF NOT EXISTS 'portal_app'@'%' ACCOUNT LOCK;
EXECUTE IMMEDIATE CONCAT('GRANT SELECT, INSERT ON `', DATABASE(), '`.* TO ''portal_app''@''%''');
BEGIN NOT ATOMIC
  DECLARE done INT DEFAULT 0;
  DECLARE t VARCHAR(64);
  DECLARE cur CURSOR FOR
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' AND table_name <> 'audit_log';
  DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = 1;
  OPEN cur;
  grants: LOOP
    FETCH cur INTO t;
    IF done THEN
      LEAVE grants;
    END IF;
    EXECUTE IMMEDIATE CONCAT('GRANT UPDATE, DELETE ON `', DATABASE(), '`.`', t,
                             '` TO ''portal_app''@''%''');
  END LOOP;
  CLOSE cur;
END;
