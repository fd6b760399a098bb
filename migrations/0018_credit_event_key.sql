-- One credit entry per event (issue #21 review): 0014's unique key (org_id, rule, permit_id,
-- task_id, occurred_on) holds nullable columns, and MariaDB lets any number of rows share a key
-- that has a NULL in it, so an event with no permit or no task (a manual revocation, say) could
-- be written twice. The key now reads generated non-null columns in their place (0: none).
--
-- Entries are never deleted (the trigger of 0014 refuses it; the record is evidence). A copy
-- written before this migration is withdrawn instead, with the reason naming the entry it
-- repeats, and kept out of the key by duplicate_id (its own id; 0 for every other entry), so the
-- first entry of each event stands and no second one can be written again.

ALTER TABLE credit_entries
  ADD COLUMN permit_key BIGINT AS (COALESCE(permit_id, 0)) PERSISTENT,
  ADD COLUMN task_key BIGINT AS (COALESCE(task_id, 0)) PERSISTENT,
  ADD COLUMN duplicate_id BIGINT NOT NULL DEFAULT 0;

-- The copies: every entry of an event after its first (lowest id).
CREATE TEMPORARY TABLE credit_duplicates_0018 (
  id BIGINT NOT NULL PRIMARY KEY,
  first_id BIGINT NOT NULL
) ENGINE=InnoDB;
INSERT INTO credit_duplicates_0018 (id, first_id)
  SELECT e.id, f.first_id
  FROM credit_entries e
  JOIN (SELECT org_id, rule, permit_key, task_key, occurred_on, MIN(id) AS first_id
        FROM credit_entries GROUP BY org_id, rule, permit_key, task_key, occurred_on
        HAVING COUNT(*) > 1) f
    ON f.org_id = e.org_id AND f.rule = e.rule AND f.permit_key = e.permit_key
   AND f.task_key = e.task_key AND f.occurred_on = e.occurred_on
  WHERE e.id <> f.first_id;

UPDATE credit_entries e JOIN credit_duplicates_0018 d ON d.id = e.id
  SET e.duplicate_id = e.id, e.status = 'withdrawn', e.decision = 'withdrawn',
      e.decision_reason = CONCAT('a second record of the event of entry ', d.first_id,
                                 ' (withdrawn by migration 0018)'),
      e.decided_at = UTC_TIMESTAMP(6);

DROP TEMPORARY TABLE credit_duplicates_0018;

ALTER TABLE credit_entries
  DROP INDEX uq_credit_event,
  ADD UNIQUE KEY uq_credit_event (org_id, rule, permit_key, task_key, occurred_on, duplicate_id);
