-- The map's current works (issue #23): /works and ?current reads ask for the extents whose works
-- have not ended (end_day >= today). Without an index on end_day MariaDB walked every extent in
-- id order to find them (6 s for the /works page at a million applications); with it, it reads
-- only the extents not yet ended and sorts those few by id.
ALTER TABLE excavation_extents ADD KEY ix_extent_end (end_day);
