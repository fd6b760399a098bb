-- From plan to application, and one plan of the city's digs (issue #20).
--
-- An application may cite its project; a job of a kind whose guidance was answered starts with
-- the agreed connection point and remembers which guidance it came from (the utility may then
-- confirm the point instead of surveying, and a survey that changes it carries a reason code
-- from the published list "point_change").
ALTER TABLE applications ADD COLUMN project_id BIGINT NULL,
  ADD CONSTRAINT fk_application_project FOREIGN KEY (project_id) REFERENCES projects (id);
ALTER TABLE jobs ADD COLUMN guidance_id BIGINT NULL,
  ADD CONSTRAINT fk_job_guidance FOREIGN KEY (guidance_id) REFERENCES guidance (id);

-- The reasons a connection point agreed at guidance may be changed (the enum keeps 0014's
-- post_check_result). The list joins every version published so far, 0014's included (rows are
-- added, none is changed: the triggers refuse updates and deletes); a later version that does
-- not name the list carries it over (POST /v1/codes).
ALTER TABLE decision_codes MODIFY list
  ENUM('return_item', 'reject_reason', 'condition', 'post_check_result', 'point_change') NOT NULL;
INSERT INTO decision_codes (version, list, seq, code, name_zh, name_en)
  SELECT v.version, 'point_change', c.seq, c.code, c.name_zh, c.name_en
  FROM code_list_versions v CROSS JOIN (
    SELECT 1 AS seq, 'CAPACITY_CHANGED' AS code, '管网容量变化' AS name_zh,
           'the network capacity changed' AS name_en
    UNION ALL SELECT 2, 'SITE_PLAN_CHANGED', '总平面布置调整', 'the site plan changed'
    UNION ALL SELECT 3, 'ROUTE_OBSTRUCTED', '原接线路由受阻', 'the agreed route is obstructed'
    UNION ALL SELECT 4, 'NETWORK_REBUILT', '管网改造', 'the network was rebuilt'
    UNION ALL SELECT 5, 'APPLICANT_REQUEST', '申请人要求变更', 'the applicant asked for a change'
  ) c
  WHERE NOT EXISTS (SELECT 1 FROM decision_codes d WHERE d.version = v.version
                    AND d.list = 'point_change');

-- Planned excavations, months before anyone applies: a project's (an applicant's, or a
-- utility's own planned network works registered the same way), placed on the register road it
-- lies on. The coordination plan reads them by road and district.
CREATE TABLE planned_digs (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  project_id BIGINT NOT NULL,
  seq INT NOT NULL,
  org_id BIGINT NOT NULL,
  purpose VARCHAR(200) NOT NULL,
  district_code VARCHAR(32) NOT NULL,
  road_id VARCHAR(32) NULL,
  road_name VARCHAR(100) NULL,
  -- the road authority whose register the road is on: the plan and its conflicts go to it
  -- alone (another register may list the same road id)
  road_org_id BIGINT NULL,
  extent GEOMETRY NOT NULL,
  start_day DATE NOT NULL,
  end_day DATE NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  UNIQUE KEY uq_planned_dig (project_id, seq),
  KEY ix_planned_road (road_id, start_day),
  KEY ix_planned_district (district_code, start_day),
  CONSTRAINT fk_planned_project FOREIGN KEY (project_id) REFERENCES projects (id),
  CONSTRAINT fk_planned_org FOREIGN KEY (org_id) REFERENCES organisations (id),
  CONSTRAINT fk_planned_road_org FOREIGN KEY (road_org_id) REFERENCES organisations (id),
  CONSTRAINT fk_planned_district FOREIGN KEY (district_code) REFERENCES districts (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
