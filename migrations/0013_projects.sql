-- Projects at the planning stage (issue #20, "forward plans"): an applicant (or the office on its
-- behalf) registers a planned project with its site, the kinds it will need with expected loads
-- and the expected hookup date; every organisation serving the site for a needed kind gets a
-- guidance task with a published limit (service-standard stage "guidance") and answers it with
-- the connection point, capacity, conditions and an estimate from its published fees.
-- (0011 is reserved for another branch.)

CREATE TABLE projects (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  org_id BIGINT NOT NULL,
  name VARCHAR(200) NOT NULL,
  district_code VARCHAR(32) NOT NULL,
  geometry GEOMETRY NOT NULL,
  needs TEXT NOT NULL,
  hookup_day DATE NOT NULL,
  materials TEXT NOT NULL,
  created_by_org BIGINT NOT NULL,
  created_by_user BIGINT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  KEY ix_project_org (org_id, id),
  CONSTRAINT fk_project_org FOREIGN KEY (org_id) REFERENCES organisations (id),
  CONSTRAINT fk_project_district FOREIGN KEY (district_code) REFERENCES districts (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- One guidance task per needed kind and serving organisation; its clock is the published
-- "guidance" stage, started at registration (no pauses: nothing is owed by the applicant).
CREATE TABLE guidance (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  project_id BIGINT NOT NULL,
  utility_kind ENUM('water', 'power', 'gas', 'heat', 'network') NOT NULL,
  org_id BIGINT NOT NULL,
  state ENUM('open', 'answered') NOT NULL DEFAULT 'open',
  stage VARCHAR(32) NOT NULL DEFAULT 'guidance',
  stage_limit_days INT NOT NULL,
  started_day DATE NOT NULL,
  due_day DATE NOT NULL,
  answer MEDIUMTEXT NULL,
  estimate_total_fen BIGINT NULL,
  answered_day DATE NULL,
  answered_at DATETIME(6) NULL,
  answered_by BIGINT NULL,
  version INT NOT NULL DEFAULT 1,
  created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  UNIQUE KEY uq_guidance (project_id, utility_kind, org_id),
  KEY ix_guidance_queue (org_id, state, due_day),
  KEY ix_guidance_due (state, due_day),
  CONSTRAINT fk_guidance_project FOREIGN KEY (project_id) REFERENCES projects (id),
  CONSTRAINT fk_guidance_org FOREIGN KEY (org_id) REFERENCES organisations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
