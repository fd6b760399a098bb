-- Work windows that ran out (issue #21): the sweep records a dig-road permit still approved, with
-- no extension pending, from the first working day after its window ended. One row per permit and
-- window end (a granted extension moves the end, so a later overrun is a new row); written once
-- by the sweep that found it, with the working days overrun then, and never changed.

CREATE TABLE permit_overruns (
  permit_id BIGINT NOT NULL,
  window_to DATE NOT NULL,
  overrunning_from DATE NOT NULL,
  detected_on DATE NOT NULL,
  days_at_detection INT NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  PRIMARY KEY (permit_id, window_to),
  KEY ix_overrun_detected (detected_on, permit_id),
  CONSTRAINT fk_overrun_permit FOREIGN KEY (permit_id) REFERENCES permits (id),
  CONSTRAINT ck_overrun_days CHECK (days_at_detection >= 1 AND overrunning_from > window_to)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TRIGGER permit_overruns_no_update BEFORE UPDATE ON permit_overruns FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'an overrun record is immutable';
CREATE TRIGGER permit_overruns_no_delete BEFORE DELETE ON permit_overruns FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'an overrun record is immutable';

-- The sweep's search: approved dig-road permits by window end.
ALTER TABLE permits ADD KEY ix_permit_window (kind, state, window_to);
