-- Multi-primary Galera (issue 22): no row that every transaction updates, a lease for work that
-- must run once across the cluster, and uploaded bytes that every node holds.

-- The audit log becomes one chain per writer (a process, keyed by a writer id it picks at
-- start): each entry hashes its predecessor in its own chain, and the writer's head row is
-- updated only by that writer, so two portals committing on two nodes never touch the same row
-- (audit_head was that row: a certification conflict on every concurrent commit). The entries
-- written before this migration stay verifiable as writer 0, whose positions are their ids.
ALTER TABLE audit_log
  ADD COLUMN writer_id BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN seq BIGINT NULL;
UPDATE audit_log SET seq = id;
ALTER TABLE audit_log
  MODIFY seq BIGINT NOT NULL,
  ADD UNIQUE KEY uq_audit_writer_seq (writer_id, seq);

CREATE TABLE audit_writers (
  writer_id BIGINT NOT NULL PRIMARY KEY,
  last_seq BIGINT NOT NULL,
  last_hash CHAR(64) NOT NULL,
  label VARCHAR(100) NOT NULL,
  started_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO audit_writers (writer_id, last_seq, last_hash, label, started_at)
  SELECT 0, last_id, last_hash, 'before migration 0010', UTC_TIMESTAMP(6)
  FROM audit_head WHERE id = 1 AND last_id > 0;
-- audit_head is no longer written; it stays for bench/ref_tx.c, the hand-written reference.

-- Leases: work that runs once across every portal (the sweeper) takes the named lease; a holder
-- that dies loses it when it expires.
CREATE TABLE leases (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  holder VARCHAR(100) NOT NULL,
  expires_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Uploaded bytes, by content hash, in chunks small enough for any max_allowed_packet: every
-- node of the cluster holds them, so a portal whose disk never saw an upload still serves it
-- (the files under the data directory are that portal's cache of them).
CREATE TABLE material_chunks (
  content_hash CHAR(64) NOT NULL,
  chunk INT NOT NULL,
  bytes MEDIUMBLOB NOT NULL,
  PRIMARY KEY (content_hash, chunk)
) ENGINE=InnoDB;

EXECUTE IMMEDIATE CONCAT('GRANT UPDATE, DELETE ON `', DATABASE(), '`.`audit_writers` TO ''portal_app''@''%''');
EXECUTE IMMEDIATE CONCAT('GRANT UPDATE, DELETE ON `', DATABASE(), '`.`leases` TO ''portal_app''@''%''');
EXECUTE IMMEDIATE CONCAT('GRANT UPDATE, DELETE ON `', DATABASE(), '`.`material_chunks` TO ''portal_app''@''%''');
