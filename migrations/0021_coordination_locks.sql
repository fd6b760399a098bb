-- Registrations of planned digs on one register road take turns (issue #20): each writes its
-- road's row here before it looks for conflicts. On one server the row lock orders them; on a
-- Galera cluster, where SELECT ... FOR UPDATE holds only on the node that ran it, two
-- registrations on different nodes both write the row and the cluster aborts one at commit (a
-- certification conflict), which the portal reruns and which then sees the other's digs.
CREATE TABLE coordination_locks (
  org_id BIGINT NOT NULL,
  road_id VARCHAR(32) NOT NULL,
  registrations BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, road_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
