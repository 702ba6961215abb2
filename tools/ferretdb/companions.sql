-- Companion GIN indexes for FerretDB's PostgreSQL backend (installed by companions.go).
--
-- FerretDB 1.24 pushes a top-level equality filter down as `_jsonb->$1 @> $2`, which
-- none of its own btree indexes `((_jsonb->'field'))` can serve, so every filtered read
-- is a sequential scan. A GIN `((_jsonb->'field')) jsonb_path_ops` index serves exactly
-- that `@>` once the key is a constant (plan_cache_mode = force_custom_plan).
-- fastupdate = off: a lookup would otherwise also scan GIN's pending list of recent
-- inserts (up to 4 MB), which made lookups slower the more had been written since the
-- last flush; each insert updates the index right away instead, as a btree would.
--
-- Rule: the leading top-level field of every FerretDB btree index has one GIN companion on
-- the same table. Only the leading field: the others of a compound index (`seq`, a sort's
-- `createdAt`) are never looked up alone, and each companion costs every insert and every
-- update (FerretDB rewrites the whole `_jsonb`, so no update is HOT) — a compound index
-- should lead with its most selective equality field. Event
-- triggers keep it true inside the transaction of FerretDB's own CREATE/DROP INDEX: no
-- polling, no race with a database being dropped. A failure only logs a warning: it
-- never fails FerretDB's statement. Nested paths (`a.b`) get none: FerretDB 1.24 does
-- not push nested filters down at all. An array field's GIN holds each element, so
-- `{field: value}` (jsonb `array @> scalar`) finds the arrays containing it, like a
-- MongoDB multikey index. FerretDB's non-unique btree indexes themselves are emptied
-- (`WHERE false`, see empty_plain_btrees): they only cost writes.

-- A schema no FerretDB database can be named like (its names are [a-zA-Z0-9_-]), so
-- dropping a database never drops these functions.
CREATE SCHEMA IF NOT EXISTS ferretdb$companions;

-- 'field' for an index column `(_jsonb -> 'field'::text)`, NULL for anything else.
CREATE OR REPLACE FUNCTION ferretdb$companions.field(expr text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT replace(m[1], '''''', '''')
  FROM regexp_match(expr, '^\(_jsonb -> ''((?:[^'']|'''')*)''::text\)$') AS m
$$;

-- Tables FerretDB owns: all but the metadata table in a schema that holds one.
CREATE OR REPLACE FUNCTION ferretdb$companions.is_ferret_table(tbl oid) RETURNS boolean
LANGUAGE sql STABLE STRICT AS $$
  SELECT EXISTS (
    SELECT 1
    FROM pg_class t
    JOIN pg_class meta ON meta.relnamespace = t.relnamespace
      AND meta.relname = '_ferretdb_database_metadata' AND meta.relkind = 'r'
    WHERE t.oid = tbl AND t.relkind = 'r' AND t.relname <> '_ferretdb_database_metadata'
  )
$$;

-- Our indexes end in `_gin`; FerretDB's are `<table>_<name>_<8 hex>_idx`, so never clash.
CREATE OR REPLACE FUNCTION ferretdb$companions.index_name(tbl name, field text) RETURNS name
LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT (left(tbl, 40) || '_' || left(md5(tbl || '/' || field), 12) || '_gin')::name
$$;

-- GIN companions that exist on a table, with their field.
CREATE OR REPLACE FUNCTION ferretdb$companions.existing(tbl oid)
RETURNS TABLE (idx regclass, field text)
LANGUAGE sql STABLE STRICT AS $$
  SELECT i.indexrelid::regclass, ferretdb$companions.field(pg_get_indexdef(i.indexrelid, 1, true))
  FROM pg_index i
  JOIN pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_am am ON am.oid = ic.relam
  WHERE i.indrelid = tbl AND am.amname = 'gin' AND ic.relname LIKE '%\_gin'
$$;

-- Leading top-level fields of the table's btree indexes.
CREATE OR REPLACE FUNCTION ferretdb$companions.wanted(tbl oid) RETURNS text[]
LANGUAGE sql STABLE STRICT AS $$
  SELECT coalesce(array_agg(DISTINCT f), '{}')
  FROM pg_index i
  JOIN pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_am am ON am.oid = ic.relam
  CROSS JOIN LATERAL ferretdb$companions.field(pg_get_indexdef(i.indexrelid, 1, true)) AS f
  WHERE i.indrelid = tbl AND am.amname = 'btree' AND f IS NOT NULL
$$;

-- FerretDB's non-unique btree indexes, emptied: recreated under the same name with
-- `WHERE false`, so no row ever enters them. No FerretDB query can use them (see the top),
-- yet every insert and update paid for them, and one on an array field refused documents
-- whose array weighed more than a btree entry may (~2.7 KB: a message's search words).
-- FerretDB knows its indexes by name (its metadata), so listing and dropping them work as
-- before; lookups go to the GIN companion of the leading field. Unique indexes stay whole:
-- they enforce uniqueness. Runs with the triggers held off (`busy`), so the DROP and
-- CREATE here do not re-enter sync midway.

-- A table's non-unique btree indexes (ours excepted): whole ones, or emptied ones.
CREATE OR REPLACE FUNCTION ferretdb$companions.plain_btrees(tbl oid, emptied boolean)
RETURNS TABLE (idx text, def text)
LANGUAGE sql STABLE STRICT AS $$
  SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
  FROM pg_index i
  JOIN pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_am am ON am.oid = ic.relam
  WHERE i.indrelid = tbl AND am.amname = 'btree' AND NOT i.indisunique
    AND NOT i.indisprimary AND ic.relname NOT LIKE '%\_gin'
    AND CASE WHEN emptied THEN pg_get_expr(i.indpred, i.indrelid) = 'false'
             ELSE i.indpred IS NULL END
$$;

CREATE OR REPLACE FUNCTION ferretdb$companions.empty_plain_btrees(tbl oid) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT * FROM ferretdb$companions.plain_btrees(tbl, false) LOOP
    EXECUTE format('DROP INDEX %s', r.idx);
    EXECUTE r.def || ' WHERE false';
    RETURN NEXT format('emptied btree index %s (its GIN companion serves lookups)', r.idx);
  END LOOP;
END
$$;

-- Undoes empty_plain_btrees (companions switched off): FerretDB's indexes as it made them.
CREATE OR REPLACE FUNCTION ferretdb$companions.refill_plain_btrees(tbl oid) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT * FROM ferretdb$companions.plain_btrees(tbl, true) LOOP
    EXECUTE format('DROP INDEX %s', r.idx);
    EXECUTE regexp_replace(r.def, ' WHERE false$', '');
    RETURN NEXT format('refilled btree index %s', r.idx);
  END LOOP;
END
$$;

-- True while this transaction runs our own DDL: the triggers then do nothing.
CREATE OR REPLACE FUNCTION ferretdb$companions.busy() RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT coalesce(current_setting('ferretdb_companions.busy', true), '') = 'on'
$$;

-- Makes one table's companions match its btree indexes; returns what it did.
CREATE OR REPLACE FUNCTION ferretdb$companions.sync(tbl oid) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
  wanted text[];
  f text;
  r record;
  have text[];
BEGIN
  IF NOT ferretdb$companions.is_ferret_table(tbl) THEN
    RETURN;
  END IF;
  PERFORM set_config('ferretdb_companions.busy', 'on', true);
  RETURN QUERY SELECT ferretdb$companions.empty_plain_btrees(tbl);
  wanted := ferretdb$companions.wanted(tbl);
  SELECT coalesce(array_agg(e.field), '{}') INTO have FROM ferretdb$companions.existing(tbl) e;

  FOREACH f IN ARRAY wanted LOOP
    CONTINUE WHEN f = ANY (have);
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s USING gin ((_jsonb -> %L) jsonb_path_ops) WITH (fastupdate = off)',
      ferretdb$companions.index_name((SELECT relname FROM pg_class WHERE oid = tbl), f), tbl::regclass, f);
    RETURN NEXT format('created GIN companion on %s (%s)', tbl::regclass, f);
  END LOOP;

  FOR r IN SELECT idx::text AS idx, field FROM ferretdb$companions.existing(tbl) LOOP
    CONTINUE WHEN r.field = ANY (wanted);
    EXECUTE format('DROP INDEX IF EXISTS %s', r.idx);
    RETURN NEXT format('dropped GIN companion %s (%s)', r.idx, r.field);
  END LOOP;
  PERFORM set_config('ferretdb_companions.busy', 'off', true);
END
$$;

-- Drops every companion of one table and refills its emptied btrees (companions switched off).
CREATE OR REPLACE FUNCTION ferretdb$companions.remove(tbl oid) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  PERFORM set_config('ferretdb_companions.busy', 'on', true);
  RETURN QUERY SELECT ferretdb$companions.refill_plain_btrees(tbl);
  FOR r IN SELECT idx::text AS idx, field FROM ferretdb$companions.existing(tbl) LOOP
    EXECUTE format('DROP INDEX IF EXISTS %s', r.idx);
    RETURN NEXT format('dropped GIN companion %s (%s)', r.idx, r.field);
  END LOOP;
  PERFORM set_config('ferretdb_companions.busy', 'off', true);
END
$$;

-- Syncs each table; one table's failure is a warning, never an error for the caller.
CREATE OR REPLACE FUNCTION ferretdb$companions.sync_tables(tbls oid[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  t oid;
  msg text;
BEGIN
  FOREACH t IN ARRAY tbls LOOP
    BEGIN
      FOR msg IN SELECT ferretdb$companions.sync(t) LOOP
        RAISE LOG 'companion index: %', msg;
      END LOOP;
    EXCEPTION WHEN OTHERS THEN
      RAISE WARNING 'companion index for table % not synced: %', t, SQLERRM;
    END;
  END LOOP;
END
$$;

-- After CREATE INDEX: sync the tables that got a new btree index (our GINs are skipped,
-- so creating one does not recurse).
CREATE OR REPLACE FUNCTION ferretdb$companions.on_create_index() RETURNS event_trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF ferretdb$companions.busy() THEN
    RETURN;
  END IF;
  PERFORM ferretdb$companions.sync_tables(array(
    SELECT DISTINCT i.indrelid
    FROM pg_event_trigger_ddl_commands() c
    JOIN pg_index i ON i.indexrelid = c.objid
    JOIN pg_class ic ON ic.oid = i.indexrelid
    JOIN pg_am am ON am.oid = ic.relam
    WHERE c.object_type = 'index' AND am.amname = 'btree'));
END
$$;

-- After DROP INDEX (FerretDB's dropIndexes): the dropped index's table is no longer known,
-- so sync every table of its schema. Dropping our own `_gin` index does not recurse.
-- DROP TABLE / DROP SCHEMA take the companions with them and do not fire this.
CREATE OR REPLACE FUNCTION ferretdb$companions.on_drop_index() RETURNS event_trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF ferretdb$companions.busy() THEN
    RETURN;
  END IF;
  PERFORM ferretdb$companions.sync_tables(array(
    SELECT c.oid
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'r' AND n.nspname IN (
      SELECT d.schema_name
      FROM pg_event_trigger_dropped_objects() d
      WHERE d.object_type = 'index' AND d.object_name NOT LIKE '%\_gin')));
END
$$;

DROP EVENT TRIGGER IF EXISTS companion_create_index;
DROP EVENT TRIGGER IF EXISTS companion_drop_index;
CREATE EVENT TRIGGER companion_create_index ON ddl_command_end
  WHEN TAG IN ('CREATE INDEX') EXECUTE FUNCTION ferretdb$companions.on_create_index();
CREATE EVENT TRIGGER companion_drop_index ON sql_drop
  WHEN TAG IN ('DROP INDEX') EXECUTE FUNCTION ferretdb$companions.on_drop_index();
