-- Inspections that follow the works, the guarantee period and public reports (issue #21).
--
-- * The utility reports a dig reinstated (or a remedial task done); the road authority inspects
--   only after such a report. Reports are appended, never changed: a permit awaits inspection
--   while it has more reports than reinstatement inspections.
-- * The office publishes, per road class, the guarantee period after closing and the working
--   days a utility has to redo a failed reinstatement or repair a defect: versioned like the
--   other published data (the version in force on a day is the highest whose effective_from is
--   not after it), immutable once published.
-- * Closing a dig-road permit records its guarantee period (road class, the published months,
--   the last day), which the permit then shows.
-- * Defects reported by the public (no account), a road authority or the office: where, what,
--   a small photo, and where the report went: the utility that dug when a closed permit's works
--   within a few metres are still in their guarantee period, else the road authority of the
--   road there (the office when no registered road is there). Each becomes a task (kind
--   'defect') of that organisation.
-- * Public feedback: ratings and complaints on a published certificate number or a works
--   location, answered by the office.

-- The same list the other branch of #21 uses (rectification after a failed post-check).
ALTER TABLE tasks
  MODIFY kind ENUM('post_check', 'remedial', 'rectification', 'defect') NOT NULL,
  MODIFY permit_id BIGINT NULL,
  ADD COLUMN IF NOT EXISTS due_day DATE NULL,
  ADD COLUMN IF NOT EXISTS defect_id BIGINT NULL,
  ADD KEY IF NOT EXISTS ix_task_kind (kind, status, id),
  ADD KEY IF NOT EXISTS ix_task_defect (defect_id);

CREATE TABLE reinstatement_standard_versions (
  version INT NOT NULL PRIMARY KEY,
  effective_from DATE NOT NULL,
  published_by BIGINT NULL,
  published_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  CONSTRAINT ck_reinstatement_version CHECK (version >= 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE reinstatement_standards (
  version INT NOT NULL,
  road_class ENUM('expressway', 'primary', 'secondary', 'branch') NOT NULL,
  guarantee_months INT NOT NULL,
  remedial_days INT NOT NULL,
  defect_days INT NOT NULL,
  PRIMARY KEY (version, road_class),
  CONSTRAINT fk_reinstatement_version FOREIGN KEY (version)
    REFERENCES reinstatement_standard_versions (version),
  CONSTRAINT ck_reinstatement_limits CHECK (guarantee_months BETWEEN 1 AND 120
    AND remedial_days BETWEEN 1 AND 250 AND defect_days BETWEEN 1 AND 250)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TRIGGER reinstatement_versions_no_update BEFORE UPDATE ON reinstatement_standard_versions
  FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'a published standard is immutable';
CREATE TRIGGER reinstatement_versions_no_delete BEFORE DELETE ON reinstatement_standard_versions
  FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'a published standard is immutable';
CREATE TRIGGER reinstatement_standards_no_update BEFORE UPDATE ON reinstatement_standards
  FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'a published standard is immutable';
CREATE TRIGGER reinstatement_standards_no_delete BEFORE DELETE ON reinstatement_standards
  FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'a published standard is immutable';

-- Trunk roads carry two years, minor ones one (the usual municipal rule).
INSERT INTO reinstatement_standard_versions (version, effective_from, published_at)
  VALUES (1, '2026-01-01', '2026-01-01 00:00:00');
INSERT INTO reinstatement_standards (version, road_class, guarantee_months, remedial_days,
                                     defect_days) VALUES
  (1, 'expressway', 24, 5, 3),
  (1, 'primary', 24, 5, 3),
  (1, 'secondary', 18, 7, 5),
  (1, 'branch', 12, 10, 7);

CREATE TABLE reinstatement_reports (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  permit_id BIGINT NOT NULL,
  kind ENUM('reinstated', 'remedied') NOT NULL,
  org_id BIGINT NOT NULL,
  user_id BIGINT NULL,
  comment TEXT NOT NULL,
  at DATETIME(6) NOT NULL,
  KEY ix_report_permit (permit_id, id),
  CONSTRAINT fk_report_permit FOREIGN KEY (permit_id) REFERENCES permits (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE permit_guarantees (
  permit_id BIGINT NOT NULL PRIMARY KEY,
  road_class VARCHAR(16) NOT NULL,
  standard_version INT NOT NULL,
  months INT NOT NULL,
  closed_on DATE NOT NULL,
  guarantee_to DATE NOT NULL,
  KEY ix_guarantee_to (guarantee_to),
  CONSTRAINT fk_guarantee_permit FOREIGN KEY (permit_id) REFERENCES permits (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE defects (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  reference VARCHAR(24) NOT NULL,
  location POINT NOT NULL,
  lng DECIMAL(10,7) NOT NULL,
  lat DECIMAL(10,7) NOT NULL,
  description TEXT NOT NULL,
  photo MEDIUMBLOB NULL,
  photo_type VARCHAR(32) NULL,
  photo_hash CHAR(64) NULL,
  reported_by ENUM('public', 'authority', 'office') NOT NULL,
  reporter_org_id BIGINT NULL,
  reporter_user_id BIGINT NULL,
  routed_to ENUM('utility', 'authority', 'office') NOT NULL,
  route_reason VARCHAR(300) NOT NULL,
  org_id BIGINT NOT NULL,
  permit_id BIGINT NULL,
  guarantee_to DATE NULL,
  road_id VARCHAR(32) NULL,
  district_code VARCHAR(32) NULL,
  status ENUM('open', 'repaired') NOT NULL DEFAULT 'open',
  due_day DATE NOT NULL,
  repaired_at DATETIME(6) NULL,
  repair_note TEXT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  UNIQUE KEY uq_defect_reference (reference),
  KEY ix_defect_org (org_id, status, id),
  KEY ix_defect_permit (permit_id),
  SPATIAL INDEX sx_defect_location (location),
  CONSTRAINT fk_defect_org FOREIGN KEY (org_id) REFERENCES organisations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE public_feedback (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  reference VARCHAR(24) NOT NULL,
  kind ENUM('rating', 'complaint') NOT NULL,
  score ENUM('good', 'average', 'bad') NULL,
  body TEXT NOT NULL,
  certificate_number VARCHAR(24) NULL,
  lng DECIMAL(10,7) NULL,
  lat DECIMAL(10,7) NULL,
  permit_id BIGINT NULL,
  org_id BIGINT NULL,
  district_code VARCHAR(32) NULL,
  status ENUM('open', 'answered') NOT NULL DEFAULT 'open',
  answer TEXT NULL,
  answered_by BIGINT NULL,
  answered_at DATETIME(6) NULL,
  created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  UNIQUE KEY uq_feedback_reference (reference),
  KEY ix_feedback_status (status, id),
  KEY ix_feedback_org (org_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

EXECUTE IMMEDIATE CONCAT('GRANT UPDATE ON `', DATABASE(), '`.`defects` TO ''portal_app''@''%''');
EXECUTE IMMEDIATE CONCAT('GRANT UPDATE ON `', DATABASE(), '`.`public_feedback` TO ''portal_app''@''%''');
