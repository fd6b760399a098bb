-- Fee schedules are per utility organisation (issue 4): two water companies each publish their
-- own schedule, numbered 1, 2, ... on their own, and neither supersedes the other. Service
-- standards stay per kind: they are the office's, one per kind.

ALTER TABLE fee_schedules
  DROP INDEX uq_fee_version,
  ADD UNIQUE KEY uq_fee_org_version (org_id, utility_kind, version);
