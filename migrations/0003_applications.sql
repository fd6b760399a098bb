-- Sites, materials, joint applications with their utility jobs and permits, the transition
-- history, clock pauses, tasks, inspections, extensions and the outbox.

CREATE TABLE sites (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  org_id BIGINT NOT NULL,
  name VARCHAR(200) NOT NULL,
  address VARCHAR(400) NOT NULL,
  district_code VARCHAR(32) NOT NULL,
  lat DECIMAL(9,6) NULL,
  lng DECIMAL(9,6) NULL,
  plot_ref VARCHAR(100) NOT NULL DEFAULT '',
  zone_risk ENUM('low', 'medium', 'high') NOT NULL DEFAULT 'medium',
  created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  KEY ix_site_org (org_id, id),
  CONSTRAINT fk_site_org FOREIGN KEY (org_id) REFERENCES organisations (id),
  CONSTRAINT fk_site_district FOREIGN KEY (district_code) REFERENCES districts (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Uploaded once to the applicant's library (content stored by BLAKE2b hash under the data
-- directory) or referenced by electronic licence number.
CREATE TABLE materials (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  org_id BIGINT NOT NULL,
  material_type VARCHAR(64) NOT NULL,
  filename VARCHAR(255) NOT NULL DEFAULT '',
  content_type VARCHAR(100) NOT NULL DEFAULT '',
  size_bytes BIGINT NOT NULL DEFAULT 0,
  content_hash CHAR(64) NULL,
  elicence_no VARCHAR(64) NULL,
  elicence_holder VARCHAR(200) NULL,
  elicence_valid_to DATE NULL,
  created_by BIGINT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  UNIQUE KEY uq_material_content (org_id, material_type, content_hash),
  UNIQUE KEY uq_material_elicence (org_id, material_type, elicence_no),
  KEY ix_material_org (org_id, id),
  CONSTRAINT fk_material_org FOREIGN KEY (org_id) REFERENCES organisations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Readable references: HK-2026-000123, one counter per year.
CREATE TABLE reference_counters (
  year SMALLINT NOT NULL PRIMARY KEY,
  next_value BIGINT NOT NULL
) ENGINE=InnoDB;

CREATE TABLE applications (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  reference VARCHAR(24) NOT NULL,
  org_id BIGINT NOT NULL,
  site_id BIGINT NOT NULL,
  status ENUM('open', 'completed', 'withdrawn') NOT NULL DEFAULT 'open',
  submitted_at DATETIME(6) NOT NULL,
  submitted_day DATE NOT NULL,
  request MEDIUMTEXT NOT NULL,
  estimate MEDIUMTEXT NOT NULL,
  estimate_total_fen BIGINT NOT NULL,
  idempotency_key VARCHAR(128) NULL,
  request_hash CHAR(64) NOT NULL,
  created_by BIGINT NULL,
  version INT NOT NULL DEFAULT 1,
  UNIQUE KEY uq_application_reference (reference),
  UNIQUE KEY uq_application_idempotency (org_id, idempotency_key),
  KEY ix_application_org (org_id, id),
  KEY ix_application_status (status, id),
  CONSTRAINT fk_application_org FOREIGN KEY (org_id) REFERENCES organisations (id),
  CONSTRAINT fk_application_site FOREIGN KEY (site_id) REFERENCES sites (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE application_materials (
  application_id BIGINT NOT NULL,
  material_id BIGINT NOT NULL,
  PRIMARY KEY (application_id, material_id),
  CONSTRAINT fk_am_application FOREIGN KEY (application_id) REFERENCES applications (id),
  CONSTRAINT fk_am_material FOREIGN KEY (material_id) REFERENCES materials (id)
) ENGINE=InnoDB;

-- Stage clock columns shared by jobs and permits: see workflows/clock.h.
CREATE TABLE jobs (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  application_id BIGINT NOT NULL,
  reference VARCHAR(32) NOT NULL,
  utility_kind ENUM('water', 'power', 'gas', 'heat', 'network') NOT NULL,
  utility_org_id BIGINT NOT NULL,
  state VARCHAR(24) NOT NULL,
  version INT NOT NULL DEFAULT 1,
  params TEXT NOT NULL,
  connection_point TEXT NULL,
  quote TEXT NULL,
  quote_total_fen BIGINT NULL,
  permits_needed TEXT NULL,
  stage VARCHAR(32) NULL,
  stage_limit_days INT NULL,
  started_day DATE NULL,
  due_day DATE NULL,
  paused TINYINT(1) NOT NULL DEFAULT 0,
  paused_day DATE NULL,
  remaining_days INT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  updated_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  UNIQUE KEY uq_job_reference (reference),
  KEY ix_job_queue (utility_org_id, state, id),
  KEY ix_job_queue_all (utility_org_id, id),
  KEY ix_job_due (due_day, paused),
  KEY ix_job_application (application_id),
  CONSTRAINT fk_job_application FOREIGN KEY (application_id) REFERENCES applications (id),
  CONSTRAINT fk_job_org FOREIGN KEY (utility_org_id) REFERENCES organisations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE permits (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  application_id BIGINT NOT NULL,
  reference VARCHAR(32) NOT NULL,
  kind ENUM('dig_road', 'greening', 'planning') NOT NULL,
  authority_org_id BIGINT NOT NULL,
  state VARCHAR(24) NOT NULL,
  decision VARCHAR(32) NOT NULL DEFAULT 'none',
  is_deemed TINYINT(1) NOT NULL DEFAULT 0,
  fast_track TINYINT(1) NOT NULL DEFAULT 0,
  post_checked TINYINT(1) NOT NULL DEFAULT 0,
  reinstatement_passed TINYINT(1) NOT NULL DEFAULT 0,
  extension_pending TINYINT(1) NOT NULL DEFAULT 0,
  extension_to DATE NULL,
  window_from DATE NULL,
  window_to DATE NULL,
  trigger_reason VARCHAR(500) NOT NULL,
  conditions TEXT NULL,
  decision_reason TEXT NULL,
  version INT NOT NULL DEFAULT 1,
  stage VARCHAR(32) NULL,
  stage_limit_days INT NULL,
  started_day DATE NULL,
  due_day DATE NULL,
  deadline_day DATE NULL,
  paused TINYINT(1) NOT NULL DEFAULT 0,
  paused_day DATE NULL,
  remaining_days INT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  updated_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  UNIQUE KEY uq_permit_reference (reference),
  KEY ix_permit_queue (authority_org_id, state, id),
  KEY ix_permit_queue_all (authority_org_id, id),
  KEY ix_permit_due (due_day, paused),
  KEY ix_permit_application (application_id),
  CONSTRAINT fk_permit_application FOREIGN KEY (application_id) REFERENCES applications (id),
  CONSTRAINT fk_permit_org FOREIGN KEY (authority_org_id) REFERENCES organisations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Which jobs' works need which permit (a joint dig-road permit serves several jobs).
CREATE TABLE job_permits (
  job_id BIGINT NOT NULL,
  permit_id BIGINT NOT NULL,
  PRIMARY KEY (job_id, permit_id),
  KEY ix_jp_permit (permit_id),
  CONSTRAINT fk_jp_job FOREIGN KEY (job_id) REFERENCES jobs (id),
  CONSTRAINT fk_jp_permit FOREIGN KEY (permit_id) REFERENCES permits (id)
) ENGINE=InnoDB;

-- Planned excavations by road segment, for dig-once and trench sharing across applications.
CREATE TABLE excavations (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  application_id BIGINT NOT NULL,
  permit_id BIGINT NULL,
  utility_kind VARCHAR(16) NOT NULL,
  district_code VARCHAR(32) NOT NULL,
  road VARCHAR(200) NOT NULL,
  road_class VARCHAR(32) NOT NULL,
  from_m INT NOT NULL,
  to_m INT NOT NULL,
  width_m DECIMAL(6,2) NOT NULL,
  start_day DATE NOT NULL,
  end_day DATE NOT NULL,
  KEY ix_excavation_segment (district_code, road, start_day),
  KEY ix_excavation_application (application_id),
  CONSTRAINT fk_excavation_application FOREIGN KEY (application_id) REFERENCES applications (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Every state change of a job, permit or application: who, when, why.
CREATE TABLE transitions (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  application_id BIGINT NOT NULL,
  object_type ENUM('application', 'job', 'permit') NOT NULL,
  object_id BIGINT NOT NULL,
  action VARCHAR(32) NOT NULL,
  from_state VARCHAR(24) NULL,
  to_state VARCHAR(24) NOT NULL,
  actor_role VARCHAR(16) NOT NULL,
  actor_org_id BIGINT NULL,
  actor_user_id BIGINT NULL,
  payload TEXT NOT NULL,
  at DATETIME(6) NOT NULL,
  stage VARCHAR(32) NULL,
  due_day DATE NULL,
  KEY ix_transition_object (object_type, object_id, id),
  KEY ix_transition_application (application_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Clock pauses, visible to supervisors: the only legitimate reason is an owed supplement.
CREATE TABLE clock_pauses (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  object_type ENUM('job', 'permit') NOT NULL,
  object_id BIGINT NOT NULL,
  stage VARCHAR(32) NULL,
  reason VARCHAR(64) NOT NULL,
  items TEXT NOT NULL,
  actor_role VARCHAR(16) NOT NULL,
  actor_org_id BIGINT NULL,
  actor_user_id BIGINT NULL,
  paused_at DATETIME(6) NOT NULL,
  paused_day DATE NOT NULL,
  remaining_days INT NOT NULL,
  resumed_at DATETIME(6) NULL,
  KEY ix_pause_object (object_type, object_id),
  KEY ix_pause_open (resumed_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Work for an authority or utility that a transition opened (post-checks, remedial works).
CREATE TABLE tasks (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  permit_id BIGINT NOT NULL,
  kind ENUM('post_check', 'remedial') NOT NULL,
  org_id BIGINT NOT NULL,
  status ENUM('open', 'done') NOT NULL DEFAULT 'open',
  created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  done_at DATETIME(6) NULL,
  KEY ix_task_org (org_id, status, id),
  KEY ix_task_permit (permit_id)
) ENGINE=InnoDB;

-- Inspections are appended, never changed.
CREATE TABLE inspections (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  permit_id BIGINT NOT NULL,
  kind ENUM('reinstatement', 'routine', 'post_check') NOT NULL,
  result ENUM('pass', 'fail') NOT NULL,
  comment TEXT NOT NULL,
  actor_org_id BIGINT NULL,
  actor_user_id BIGINT NULL,
  at DATETIME(6) NOT NULL,
  KEY ix_inspection_permit (permit_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE extensions (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  permit_id BIGINT NOT NULL,
  old_window_to DATE NOT NULL,
  requested_to DATE NOT NULL,
  reason TEXT NOT NULL,
  status ENUM('pending', 'granted', 'refused') NOT NULL DEFAULT 'pending',
  requested_at DATETIME(6) NOT NULL,
  decided_at DATETIME(6) NULL,
  KEY ix_extension_permit (permit_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Proposed joint digs between two open applications on the same road segment.
CREATE TABLE joint_dig_proposals (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  permit_a BIGINT NOT NULL,
  permit_b BIGINT NOT NULL,
  authority_org_id BIGINT NOT NULL,
  status ENUM('proposed', 'accepted', 'declined') NOT NULL DEFAULT 'proposed',
  created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  decided_at DATETIME(6) NULL,
  UNIQUE KEY uq_proposal_pair (permit_a, permit_b),
  KEY ix_proposal_org (authority_org_id, status)
) ENGINE=InnoDB;

-- Events for every organisation concerned, written in the same transaction as the change.
-- The id is the polling cursor; the dispatcher claims due rows with FOR UPDATE SKIP LOCKED.
CREATE TABLE outbox (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  org_id BIGINT NOT NULL,
  application_id BIGINT NULL,
  event_type VARCHAR(64) NOT NULL,
  payload MEDIUMTEXT NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  status ENUM('pending', 'delivered', 'dead', 'no_endpoint') NOT NULL DEFAULT 'pending',
  attempts INT NOT NULL DEFAULT 0,
  next_attempt_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  delivered_at DATETIME(6) NULL,
  KEY ix_outbox_due (status, next_attempt_at),
  KEY ix_outbox_org (org_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Idempotent creation: the first reply to a key is kept and returned to a retry.
CREATE TABLE idempotency_keys (
  org_id BIGINT NOT NULL,
  idem_key VARCHAR(128) NOT NULL,
  route VARCHAR(64) NOT NULL,
  request_hash CHAR(64) NOT NULL,
  status INT NOT NULL,
  response MEDIUMTEXT NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  PRIMARY KEY (org_id, route, idem_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
