-- Place (issue #19): district boundaries, the road authority's road register, the office's
-- published risk zones, the utilities' service areas, and the geometry of sites and works.
-- Geometry is longitude/latitude in CGCS2000 (EPSG:4490); MariaDB's spatial indexes find
-- candidates by bounding box and GEOS decides the exact answer (workflows/geo.c).

ALTER TABLE districts
  MODIFY kind ENUM('district', 'county', 'county_city', 'development_zone') NOT NULL,
  ADD COLUMN boundary POLYGON NULL,
  ADD COLUMN parent_code VARCHAR(32) NULL,
  ADD COLUMN updated_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6);

-- The road register, published by each road authority as a whole (the city's roads bureau, a
-- county's highway bureau), numbered 1, 2, ... per authority and immutable once published (like
-- fee schedules). The roads in force on a day are, for every authority, those of its register
-- with the highest version whose effective_from is not after that day.
CREATE TABLE road_registers (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  org_id BIGINT NOT NULL,
  version INT NOT NULL,
  effective_from DATE NOT NULL,
  nroads INT NOT NULL,
  published_by BIGINT NULL,
  published_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  UNIQUE KEY uq_register_version (org_id, version),
  KEY ix_register_effective (effective_from, version),
  CONSTRAINT fk_register_org FOREIGN KEY (org_id) REFERENCES organisations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE roads (
  register_id BIGINT NOT NULL,
  road_id VARCHAR(32) NOT NULL,
  name_zh VARCHAR(100) NOT NULL,
  name_en VARCHAR(100) NOT NULL,
  aliases TEXT NOT NULL,
  road_class ENUM('expressway', 'primary', 'secondary', 'branch') NOT NULL,
  district_code VARCHAR(32) NOT NULL,
  length_m INT NOT NULL,
  centreline LINESTRING NOT NULL,
  PRIMARY KEY (register_id, road_id),
  SPATIAL INDEX sx_road_centreline (centreline),
  CONSTRAINT fk_road_register FOREIGN KEY (register_id) REFERENCES road_registers (id),
  CONSTRAINT fk_road_district FOREIGN KEY (district_code) REFERENCES districts (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TRIGGER road_registers_no_update BEFORE UPDATE ON road_registers FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'a published road register is immutable';
CREATE TRIGGER road_registers_no_delete BEFORE DELETE ON road_registers FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'a published road register is immutable';
CREATE TRIGGER roads_no_update BEFORE UPDATE ON roads FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'a published road register is immutable';
CREATE TRIGGER roads_no_delete BEFORE DELETE ON roads FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'a published road register is immutable';

-- Risk zones the office publishes: each code is versioned; the version in force on a day is the
-- highest whose effective_from is not after it, and it applies until its effective_to (NULL:
-- open). Immutable once published: a change is a new version.
CREATE TABLE risk_zones (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  code VARCHAR(32) NOT NULL,
  version INT NOT NULL,
  name_zh VARCHAR(100) NOT NULL,
  name_en VARCHAR(100) NOT NULL,
  risk ENUM('low', 'medium', 'high') NOT NULL,
  effective_from DATE NOT NULL,
  effective_to DATE NULL,
  area POLYGON NOT NULL,
  published_by BIGINT NULL,
  published_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  UNIQUE KEY uq_zone_version (code, version),
  SPATIAL INDEX sx_zone_area (area)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TRIGGER risk_zones_no_update BEFORE UPDATE ON risk_zones FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'a published risk zone is immutable';
CREATE TRIGGER risk_zones_no_delete BEFORE DELETE ON risk_zones FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'a published risk zone is immutable';

-- Where each utility serves, per kind: whole districts (district_code) or drawn areas (area).
-- The utility replaces its own set; submissions route each kind to the organisation serving
-- the site.
CREATE TABLE service_areas (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  org_id BIGINT NOT NULL,
  utility_kind ENUM('water', 'power', 'gas', 'heat', 'network') NOT NULL,
  district_code VARCHAR(32) NULL,
  area POLYGON NULL,
  created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  KEY ix_area_kind (utility_kind, district_code),
  KEY ix_area_org (org_id, utility_kind),
  CONSTRAINT fk_area_org FOREIGN KEY (org_id) REFERENCES organisations (id),
  CONSTRAINT fk_area_district FOREIGN KEY (district_code) REFERENCES districts (code),
  CONSTRAINT ck_area_one CHECK ((district_code IS NULL) <> (area IS NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- A site is a point or the plot's polygon; lat/lng stay its anchor point. The zone risk an
-- applicant declared is kept as claimed (history) and decides nothing: the published zones do.
ALTER TABLE sites
  ADD COLUMN geometry GEOMETRY NULL AFTER lng,
  MODIFY zone_risk ENUM('low', 'medium', 'high') NULL DEFAULT NULL;

-- Each excavation's extent as drawn (a line or a polygon), the register road it lies on, and
-- what was computed from it. Rows planned before geometry existed keep their road name and
-- chainage and have no extent (they are not on the map).
ALTER TABLE excavations
  ADD COLUMN road_id VARCHAR(32) NULL AFTER road,
  ADD COLUMN register_version INT NULL AFTER road_id,
  ADD COLUMN length_m INT NULL,
  ADD COLUMN area_m2 INT NULL,
  ADD COLUMN zone_code VARCHAR(32) NULL,
  ADD COLUMN zone_risk ENUM('low', 'medium', 'high') NULL;

CREATE TABLE excavation_extents (
  excavation_id BIGINT NOT NULL PRIMARY KEY,
  extent GEOMETRY NOT NULL,
  start_day DATE NOT NULL,
  end_day DATE NOT NULL,
  SPATIAL INDEX sx_extent (extent),
  CONSTRAINT fk_extent_excavation FOREIGN KEY (excavation_id) REFERENCES excavations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- The extent two accepted trench shares have in common.
ALTER TABLE joint_dig_proposals
  ADD COLUMN shared_extent GEOMETRY NULL,
  ADD COLUMN shared_length_m INT NULL;

-- The fast-track decision records the zone and thresholds that made it (for the post-check).
ALTER TABLE permits
  ADD COLUMN fast_track_basis TEXT NULL;

EXECUTE IMMEDIATE CONCAT('GRANT UPDATE, DELETE ON `', DATABASE(), '`.`service_areas` TO ''portal_app''@''%''');
EXECUTE IMMEDIATE CONCAT('GRANT UPDATE, DELETE ON `', DATABASE(), '`.`excavation_extents` TO ''portal_app''@''%''');
