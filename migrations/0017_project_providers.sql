-- The applicant's preferred carrier per kind on a project (issue #20 review): every organisation
-- serving the site for a needed kind gets a guidance task; `providers` no longer narrows that,
-- it is kept here (a JSON object kind -> organisation id, each validated as serving the site)
-- and shown in the project's read and on the preferred organisation's task.
ALTER TABLE projects ADD COLUMN providers TEXT NULL;
