-- Issue 16: COLLATE with PostgreSQL's ICU collations, which sqlmongo runs as the command's collation. The
-- nondeterministic ones are created by the oracle's set-up (tests/pg_oracle/psql.rs). Same format as
-- pg_queries.sql (`-- name:` starts a case; each statement ends with `;` at the end of a line).
-- name: collate_equality_case_insensitive
SELECT COUNT(*) AS n FROM application_cache WHERE namespace = 'API' COLLATE "und-u-ks-level2";
-- name: collate_in_list_case_insensitive
SELECT COUNT(*) AS n FROM application_cache WHERE namespace COLLATE "und-u-ks-level2" IN ('API', 'PAGES');
-- name: collate_not_equal_case_insensitive
SELECT COUNT(*) AS n FROM application_cache WHERE namespace <> 'api' COLLATE "und-u-ks-level2";
-- name: collate_range_icu_order
SELECT COUNT(*) AS n FROM application_cache WHERE namespace < 'B' COLLATE "en-x-icu";
-- name: collate_range_c_order
SELECT COUNT(*) AS n FROM application_cache WHERE namespace < 'B' COLLATE "C";
-- name: collate_order_by_icu
SELECT cache_key, namespace FROM application_cache WHERE namespace IS NOT NULL ORDER BY namespace COLLATE "en-x-icu", cache_key COLLATE "en-x-icu";
-- name: collate_group_by_case_insensitive_counts
SELECT COUNT(*) AS n FROM application_cache WHERE namespace IS NOT NULL GROUP BY namespace COLLATE "und-u-ks-level2" ORDER BY n;
-- name: collate_count_distinct_case_insensitive
SELECT COUNT(DISTINCT namespace COLLATE "und-u-ks-level2") AS n FROM application_cache;
-- name: collate_numeric_ordering
CREATE TABLE nums (k TEXT, v INTEGER);
INSERT INTO nums (k, v) VALUES ('item10', 1), ('item9', 2), ('item100', 3), ('item2', 4);
SELECT k FROM nums ORDER BY k COLLATE "en-u-kn-true";
SELECT k FROM nums ORDER BY k COLLATE "C";
-- name: collate_update_and_delete_case_insensitive
UPDATE application_cache SET hit_count = -1 WHERE namespace = 'USERS' COLLATE "und-u-ks-level2";
SELECT COUNT(*) AS n FROM application_cache WHERE hit_count = -1;
DELETE FROM application_cache WHERE namespace = 'Api_V2' COLLATE "und-u-ks-level2";
SELECT COUNT(*) AS n FROM application_cache;
-- name: collate_accent_insensitive_primary
CREATE TABLE names (n TEXT);
INSERT INTO names (n) VALUES ('Zoë'), ('zoe'), ('ZOE'), ('Zoey');
SELECT COUNT(*) AS n FROM names WHERE n = 'zoe' COLLATE "und-u-ks-level1";
SELECT COUNT(*) AS n FROM names WHERE n = 'zoe' COLLATE "und-u-ks-level2";
-- name: collate_french_backwards_secondary_ordering
CREATE TABLE words (w TEXT);
INSERT INTO words (w) VALUES ('côté'), ('coté'), ('cote'), ('côte');
SELECT w FROM words ORDER BY w COLLATE "fr-u-kb-true";
SELECT w FROM words ORDER BY w COLLATE "fr-x-icu";
SELECT w FROM words ORDER BY w COLLATE "fr-CA-x-icu";
SELECT w FROM words ORDER BY w COLLATE "fr-CA-u-kb-false";
SELECT COUNT(*) AS n FROM words WHERE w < 'coté' COLLATE "fr-u-kb-true";
SELECT COUNT(*) AS n FROM words WHERE w < 'coté' COLLATE "fr-CA-u-kb-false";
