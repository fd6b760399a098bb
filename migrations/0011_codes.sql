-- The decision code lists (return items, refusal and revocation reasons, approval conditions) as
-- versioned data the office publishes: the version in force is the highest. A version is written
-- once, in the transaction that publishes it, and never changes (the triggers refuse it), so a
-- decision's code always means what the list said when it was taken. Version 1 is the list the
-- portal published before this table existed.

CREATE TABLE code_list_versions (
  version INT NOT NULL PRIMARY KEY,
  published_by BIGINT NULL,
  published_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  CONSTRAINT ck_code_list_version CHECK (version >= 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE decision_codes (
  version INT NOT NULL,
  list ENUM('return_item', 'reject_reason', 'condition') NOT NULL,
  seq INT NOT NULL,
  code VARCHAR(64) NOT NULL,
  name_zh VARCHAR(200) NOT NULL,
  name_en VARCHAR(200) NOT NULL,
  PRIMARY KEY (version, list, code),
  UNIQUE KEY uq_decision_code_order (version, list, seq),
  CONSTRAINT fk_decision_code_version FOREIGN KEY (version) REFERENCES code_list_versions (version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TRIGGER code_list_versions_no_update BEFORE UPDATE ON code_list_versions FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'a published code list is immutable';
CREATE TRIGGER code_list_versions_no_delete BEFORE DELETE ON code_list_versions FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'a published code list is immutable';
CREATE TRIGGER decision_codes_no_update BEFORE UPDATE ON decision_codes FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'a published code list is immutable';
CREATE TRIGGER decision_codes_no_delete BEFORE DELETE ON decision_codes FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'a published code list is immutable';

INSERT INTO code_list_versions (version, published_at) VALUES (1, '2026-01-01 00:00:00');

INSERT INTO decision_codes (version, list, seq, code, name_zh, name_en) VALUES
  (1, 'return_item', 1, 'MATERIAL_MISSING', '缺少申请材料', 'a required material is missing'),
  (1, 'return_item', 2, 'MATERIAL_ILLEGIBLE', '材料不清晰', 'a material cannot be read'),
  (1, 'return_item', 3, 'MATERIAL_EXPIRED', '材料已过有效期', 'a material has expired'),
  (1, 'return_item', 4, 'DRAWING_INCOMPLETE', '图纸内容不完整', 'a drawing lacks required content'),
  (1, 'return_item', 5, 'LOAD_UNCLEAR', '用水用电用气负荷不明确', 'the requested load is not clear'),
  (1, 'return_item', 6, 'ROUTE_UNCLEAR', '管线路由不明确', 'the route of the lines is not clear'),
  (1, 'return_item', 7, 'TRAFFIC_PLAN_MISSING', '缺少交通组织方案', 'no traffic management plan'),
  (1, 'return_item', 8, 'TREE_SURVEY_MISSING', '缺少树木调查', 'no tree survey'),
  (1, 'return_item', 9, 'SIGNATURE_MISSING', '缺少签章', 'a signature or seal is missing'),
  (1, 'reject_reason', 1, 'OUTSIDE_SERVICE_AREA', '不在供应范围内', 'outside the service area'),
  (1, 'reject_reason', 2, 'CAPACITY_UNAVAILABLE', '管网容量不足', 'the network has no capacity'),
  (1, 'reject_reason', 3, 'ROAD_PROTECTED', '道路处于保护期', 'the road is in its protection period'),
  (1, 'reject_reason', 4, 'PLAN_CONFLICT', '与规划不符', 'conflicts with the published plan'),
  (1, 'reject_reason', 5, 'PROTECTED_TREES', '涉及古树名木', 'affects protected old trees'),
  (1, 'reject_reason', 6, 'COMMITMENT_FALSE', '承诺内容不实', 'the commitment proved untrue'),
  (1, 'reject_reason', 7, 'DUPLICATE', '重复申请', 'a duplicate application'),
  (1, 'condition', 1, 'NIGHT_WORK_ONLY', '仅限夜间施工', 'works at night only'),
  (1, 'condition', 2, 'KEEP_ONE_LANE', '保留一条车道通行', 'keep one lane open'),
  (1, 'condition', 3, 'REINSTATE_48H', '48小时内恢复路面', 'reinstate the surface within 48 hours'),
  (1, 'condition', 4, 'TREE_PROTECTION', '落实树木保护措施', 'protect the trees on site'),
  (1, 'condition', 5, 'REPLANT', '异地补植', 'replant elsewhere'),
  (1, 'condition', 6, 'SHARED_TRENCH', '同沟敷设', 'lay the lines in a shared trench'),
  (1, 'condition', 7, 'NOTIFY_RESIDENTS', '提前告知周边居民', 'notify residents beforehand');
