-- A day's cap on the photos the public uploads with defect reports (PORTAL_PUBLIC_PHOTO_BYTES,
-- review of issue #21): each report's photo size is kept beside it, and the public's reports
-- of a day are found by an index, so the day's total is summed without reading a photo.
ALTER TABLE defects
  ADD COLUMN IF NOT EXISTS photo_bytes INT AS (COALESCE(LENGTH(photo), 0)) STORED,
  ADD KEY IF NOT EXISTS ix_defect_reported_day (reported_by, created_at);
