-- After a fast-tracked permit (issue #21): the post-check's result with its codes and photos, the
-- rectification a failed check opens (its own due day, from the standard), the office's
-- published oversight rules (the post-check sampling share per risk class, the credit rules), the
-- sample drawn for every fast-tracked permit, and the credit records with their appeals.

-- The task kinds every after-care task uses (the same list on every branch that changes it).
ALTER TABLE tasks MODIFY kind ENUM('post_check', 'remedial', 'rectification', 'defect') NOT NULL;

-- A post-check failure names its result codes from the published list.
ALTER TABLE decision_codes
  MODIFY list ENUM('return_item', 'reject_reason', 'condition', 'post_check_result') NOT NULL;

-- The next code list version: everything in force, plus the post-check results and the reason
-- the sweep revokes for. Numbered after whatever is in force, so it composes with other
-- migrations that publish a version too.
SET @prev = (SELECT MAX(version) FROM code_list_versions);
INSERT INTO code_list_versions (version, published_at) VALUES (@prev + 1, UTC_TIMESTAMP(6));
INSERT INTO decision_codes (version, list, seq, code, name_zh, name_en)
  SELECT @prev + 1, list, seq, code, name_zh, name_en FROM decision_codes WHERE version = @prev;
SET @seq = (SELECT COALESCE(MAX(seq), 0) FROM decision_codes
            WHERE version = @prev + 1 AND list = 'reject_reason');
INSERT INTO decision_codes (version, list, seq, code, name_zh, name_en)
  SELECT @prev + 1, 'reject_reason', @seq + 1, 'RECTIFICATION_OVERDUE', '逾期未整改',
         'not rectified by the due date' FROM DUAL
  WHERE NOT EXISTS (SELECT 1 FROM decision_codes WHERE version = @prev + 1
                    AND list = 'reject_reason' AND code = 'RECTIFICATION_OVERDUE');
INSERT INTO decision_codes (version, list, seq, code, name_zh, name_en) VALUES
  (@prev + 1, 'post_check_result', 1, 'SIGNAGE_MISSING', '施工围挡或标志缺失',
   'hoardings or signs missing'),
  (@prev + 1, 'post_check_result', 2, 'LANE_NOT_KEPT', '未按承诺保留通行车道',
   'the lane committed to is not kept open'),
  (@prev + 1, 'post_check_result', 3, 'SITE_UNTIDY', '现场文明施工不到位', 'an untidy site'),
  (@prev + 1, 'post_check_result', 4, 'WORKS_EXCEED_COMMITMENT', '施工范围超出承诺',
   'the works are larger than committed'),
  (@prev + 1, 'post_check_result', 5, 'WINDOW_MISSTATED', '施工时间与承诺不符',
   'the works are outside the committed dates'),
  (@prev + 1, 'post_check_result', 6, 'ZONE_MISDECLARED', '施工地点与承诺不符',
   'the works are not where the commitment says');

-- What a post-check found: the result, its codes and the photos (materials the authority
-- uploaded), appended and never changed. A failure names the rectification task it opened.
CREATE TABLE post_check_results (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  permit_id BIGINT NOT NULL,
  task_id BIGINT NULL,
  result ENUM('pass', 'fail') NOT NULL,
  codes JSON NOT NULL,
  photos JSON NOT NULL,
  comment TEXT NOT NULL,
  code_list_version INT NOT NULL,
  actor_org_id BIGINT NULL,
  actor_user_id BIGINT NULL,
  at DATETIME(6) NOT NULL,
  KEY ix_pcr_permit (permit_id, id),
  CONSTRAINT fk_pcr_permit FOREIGN KEY (permit_id) REFERENCES permits (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- A rectification: the task of the applicant who committed, due on due_day (working days from
-- the standard's fast_track.rectification_days); reported rectified (the post-check is opened
-- again) or, unrectified past its due day, the permit revoked by the sweep.
CREATE TABLE rectifications (
  task_id BIGINT NOT NULL PRIMARY KEY,
  permit_id BIGINT NOT NULL,
  result_id BIGINT NOT NULL,
  org_id BIGINT NOT NULL,
  opened_on DATE NOT NULL,
  due_day DATE NOT NULL,
  limit_days INT NOT NULL,
  status ENUM('open', 'rectified', 'revoked') NOT NULL DEFAULT 'open',
  note TEXT NULL,
  settled_at DATETIME(6) NULL,
  KEY ix_rect_due (status, due_day),
  KEY ix_rect_org (org_id, status),
  KEY ix_rect_permit (permit_id),
  CONSTRAINT fk_rect_task FOREIGN KEY (task_id) REFERENCES tasks (id),
  CONSTRAINT fk_rect_result FOREIGN KEY (result_id) REFERENCES post_check_results (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- The office's oversight rules as versioned data: the version in force is the highest, written
-- once and never changed (the triggers refuse it), so a sample or an entry always names the
-- rule that produced it.
CREATE TABLE oversight_rule_versions (
  version INT NOT NULL PRIMARY KEY,
  body MEDIUMTEXT NOT NULL,
  published_by BIGINT NULL,
  published_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  CONSTRAINT ck_oversight_version CHECK (version >= 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TRIGGER oversight_rules_no_update BEFORE UPDATE ON oversight_rule_versions FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'published oversight rules are immutable';
CREATE TRIGGER oversight_rules_no_delete BEFORE DELETE ON oversight_rule_versions FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'published oversight rules are immutable';

INSERT INTO oversight_rule_versions (version, body, published_at) VALUES (1, '{
 "sampling": {"key": "5f1c0e0a4b3d2c19a8e7f6d5c4b3a291", "tolerance_percent": 5,
   "percent": {"low": 20, "medium": 100, "high": 100}},
 "credit": {
   "rules": [
     {"rule": "post_check_failed", "severity": "minor", "months": 12},
     {"rule": "false_commitment", "severity": "serious", "months": 24},
     {"rule": "permit_revoked", "severity": "serious", "months": 24},
     {"rule": "overrun", "severity": "minor", "months": 12},
     {"rule": "remedial_overdue", "severity": "minor", "months": 12}],
   "false_commitment_codes": ["WORKS_EXCEED_COMMITMENT", "WINDOW_MISSTATED", "ZONE_MISDECLARED"],
   "fast_track_loss": {"severity": "serious", "months": 12}}}', '2026-01-01 00:00:00');

-- The draw for every fast-tracked permit: the rule version, its risk class and share, the
-- keyed hash's value in 0..9999 and whether it fell under the share. Written once.
CREATE TABLE post_check_samples (
  permit_id BIGINT NOT NULL PRIMARY KEY,
  rules_version INT NOT NULL,
  risk_class VARCHAR(16) NOT NULL,
  share_percent INT NOT NULL,
  draw INT NOT NULL,
  sampled TINYINT(1) NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  KEY ix_sample_rule (rules_version, risk_class),
  CONSTRAINT fk_sample_permit FOREIGN KEY (permit_id) REFERENCES permits (id),
  CONSTRAINT fk_sample_rules FOREIGN KEY (rules_version) REFERENCES oversight_rule_versions (version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Credit records: one entry per event with consequences against the organisation responsible,
-- with the rule (and its version) that produced it and the evidence. Entries are never deleted:
-- an appeal upheld withdraws one (status), and every change is in the audit log.
CREATE TABLE credit_entries (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  org_id BIGINT NOT NULL,
  rule VARCHAR(32) NOT NULL,
  rules_version INT NOT NULL,
  severity ENUM('minor', 'serious') NOT NULL,
  permit_id BIGINT NULL,
  task_id BIGINT NULL,
  evidence JSON NOT NULL,
  occurred_on DATE NOT NULL,
  expires_on DATE NOT NULL,
  status ENUM('active', 'appealed', 'withdrawn') NOT NULL DEFAULT 'active',
  appeal_reason TEXT NULL,
  appealed_by BIGINT NULL,
  appealed_at DATETIME(6) NULL,
  decision ENUM('upheld', 'withdrawn') NULL,
  decision_reason TEXT NULL,
  decided_by BIGINT NULL,
  decided_at DATETIME(6) NULL,
  created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  UNIQUE KEY uq_credit_event (org_id, rule, permit_id, task_id, occurred_on),
  KEY ix_credit_org (org_id, status, expires_on),
  CONSTRAINT fk_credit_org FOREIGN KEY (org_id) REFERENCES organisations (id),
  CONSTRAINT fk_credit_rules FOREIGN KEY (rules_version) REFERENCES oversight_rule_versions (version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- An entry is never removed: an appeal withdraws it (audited), and it expires as published.
CREATE TRIGGER credit_entries_no_delete BEFORE DELETE ON credit_entries FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'a credit entry is never deleted; withdraw it on appeal';
