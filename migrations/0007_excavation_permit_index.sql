-- A dig-road permit's events carry its road segments (SELECT ... FROM excavations WHERE
-- permit_id = ?): without this index each such event scanned every excavation ever planned.
CREATE INDEX ix_excavation_permit ON excavations (permit_id, id);
