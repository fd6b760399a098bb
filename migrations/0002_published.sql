-- Published fee schedules, service standards and the working-day calendar (DESIGN.md rules 7-10).
-- A published schedule or standard is immutable: the triggers below refuse any change to it,
-- so not even a bug or a hand-typed UPDATE can rewrite what the public was shown.

CREATE TABLE fee_schedules (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  org_id BIGINT NOT NULL,
  utility_kind ENUM('water', 'power', 'gas', 'heat', 'network', 'road', 'greening', 'planning')
    NOT NULL,
  version INT NULL,
  status ENUM('draft', 'published') NOT NULL DEFAULT 'draft',
  effective_from DATE NOT NULL,
  body MEDIUMTEXT NOT NULL,
  created_by BIGINT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  updated_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  published_by BIGINT NULL,
  published_at DATETIME(6) NULL,
  UNIQUE KEY uq_fee_version (utility_kind, version),
  KEY ix_fee_org (org_id, id),
  KEY ix_fee_status (status, utility_kind),
  CONSTRAINT fk_fee_org FOREIGN KEY (org_id) REFERENCES organisations (id),
  CONSTRAINT ck_fee_published CHECK (
    (status = 'draft' AND version IS NULL AND published_at IS NULL) OR
    (status = 'published' AND version >= 1 AND published_at IS NOT NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TRIGGER fee_schedules_no_update BEFORE UPDATE ON fee_schedules FOR EACH ROW
  IF OLD.status = 'published' THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'a published fee schedule is immutable';
  END IF;

CREATE TRIGGER fee_schedules_no_delete BEFORE DELETE ON fee_schedules FOR EACH ROW
  IF OLD.status = 'published' THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'a published fee schedule is immutable';
  END IF;

CREATE TABLE service_standards (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  org_id BIGINT NOT NULL,
  kind ENUM('water', 'power', 'gas', 'heat', 'network', 'dig_road', 'greening', 'planning')
    NOT NULL,
  version INT NULL,
  status ENUM('draft', 'published') NOT NULL DEFAULT 'draft',
  effective_from DATE NOT NULL,
  body MEDIUMTEXT NOT NULL,
  created_by BIGINT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  updated_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  published_by BIGINT NULL,
  published_at DATETIME(6) NULL,
  UNIQUE KEY uq_standard_version (kind, version),
  KEY ix_standard_status (status, kind),
  CONSTRAINT fk_standard_org FOREIGN KEY (org_id) REFERENCES organisations (id),
  CONSTRAINT ck_standard_published CHECK (
    (status = 'draft' AND version IS NULL AND published_at IS NULL) OR
    (status = 'published' AND version >= 1 AND published_at IS NOT NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TRIGGER service_standards_no_update BEFORE UPDATE ON service_standards FOR EACH ROW
  IF OLD.status = 'published' THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'a published service standard is immutable';
  END IF;

CREATE TRIGGER service_standards_no_delete BEFORE DELETE ON service_standards FOR EACH ROW
  IF OLD.status = 'published' THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'a published service standard is immutable';
  END IF;

-- The office's calendar: weekdays work and weekends are off unless a row here says otherwise.
CREATE TABLE calendar_days (
  day DATE NOT NULL PRIMARY KEY,
  kind ENUM('holiday', 'makeup') NOT NULL,
  name_zh VARCHAR(100) NOT NULL DEFAULT '',
  name_en VARCHAR(100) NOT NULL DEFAULT ''
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- The daily receiving cut-off (seconds after local midnight); one row.
CREATE TABLE calendar_settings (
  id TINYINT NOT NULL PRIMARY KEY,
  cutoff_seconds INT NOT NULL DEFAULT 61200,
  CONSTRAINT ck_calendar_cutoff CHECK (cutoff_seconds BETWEEN 0 AND 86400)
) ENGINE=InnoDB;
INSERT INTO calendar_settings (id, cutoff_seconds) VALUES (1, 61200);

-- Bumped by every publication, so every portal instance knows to rebuild its snapshot.
CREATE TABLE publication_state (
  id TINYINT NOT NULL PRIMARY KEY,
  seq BIGINT NOT NULL
) ENGINE=InnoDB;
INSERT INTO publication_state (id, seq) VALUES (1, 1);

-- 2026, as published by the State Council General Office on 4 November 2025 (Xinhua).
INSERT INTO calendar_days (day, kind, name_zh, name_en) VALUES
  ('2026-01-01', 'holiday', '元旦', 'New Year''s Day'),
  ('2026-01-02', 'holiday', '元旦', 'New Year''s Day'),
  ('2026-01-03', 'holiday', '元旦', 'New Year''s Day'),
  ('2026-02-15', 'holiday', '春节', 'Spring Festival'),
  ('2026-02-16', 'holiday', '春节', 'Spring Festival'),
  ('2026-02-17', 'holiday', '春节', 'Spring Festival'),
  ('2026-02-18', 'holiday', '春节', 'Spring Festival'),
  ('2026-02-19', 'holiday', '春节', 'Spring Festival'),
  ('2026-02-20', 'holiday', '春节', 'Spring Festival'),
  ('2026-02-21', 'holiday', '春节', 'Spring Festival'),
  ('2026-02-22', 'holiday', '春节', 'Spring Festival'),
  ('2026-02-23', 'holiday', '春节', 'Spring Festival'),
  ('2026-04-04', 'holiday', '清明节', 'Qingming Festival'),
  ('2026-04-05', 'holiday', '清明节', 'Qingming Festival'),
  ('2026-04-06', 'holiday', '清明节', 'Qingming Festival'),
  ('2026-05-01', 'holiday', '劳动节', 'Labour Day'),
  ('2026-05-02', 'holiday', '劳动节', 'Labour Day'),
  ('2026-05-03', 'holiday', '劳动节', 'Labour Day'),
  ('2026-05-04', 'holiday', '劳动节', 'Labour Day'),
  ('2026-05-05', 'holiday', '劳动节', 'Labour Day'),
  ('2026-06-19', 'holiday', '端午节', 'Dragon Boat Festival'),
  ('2026-06-20', 'holiday', '端午节', 'Dragon Boat Festival'),
  ('2026-06-21', 'holiday', '端午节', 'Dragon Boat Festival'),
  ('2026-09-25', 'holiday', '中秋节', 'Mid-Autumn Festival'),
  ('2026-09-26', 'holiday', '中秋节', 'Mid-Autumn Festival'),
  ('2026-09-27', 'holiday', '中秋节', 'Mid-Autumn Festival'),
  ('2026-10-01', 'holiday', '国庆节', 'National Day'),
  ('2026-10-02', 'holiday', '国庆节', 'National Day'),
  ('2026-10-03', 'holiday', '国庆节', 'National Day'),
  ('2026-10-04', 'holiday', '国庆节', 'National Day'),
  ('2026-10-05', 'holiday', '国庆节', 'National Day'),
  ('2026-10-06', 'holiday', '国庆节', 'National Day'),
  ('2026-10-07', 'holiday', '国庆节', 'National Day'),
  ('2026-01-04', 'makeup', '调休上班日', 'Make-up working day'),
  ('2026-02-14', 'makeup', '调休上班日', 'Make-up working day'),
  ('2026-02-28', 'makeup', '调休上班日', 'Make-up working day'),
  ('2026-05-09', 'makeup', '调休上班日', 'Make-up working day'),
  ('2026-09-20', 'makeup', '调休上班日', 'Make-up working day'),
  ('2026-10-10', 'makeup', '调休上班日', 'Make-up working day');
