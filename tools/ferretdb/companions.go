package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// companionsSQL installs the functions and event triggers that keep a GIN companion
// index next to each field of FerretDB's btree indexes (see the file's header).
//
//go:embed companions.sql
var companionsSQL string

// How long startup waits for the triggers before FerretDB listens anyway.
const companionsStartupBudget = 5 * time.Second

const companionsRetryDelay = 2 * time.Second

// setUpCompanions installs (enabled) or removes (disabled) the companion indexes and
// the custom-plan setting they need. It waits up to companionsStartupBudget so that
// FerretDB's first DDL already fires the triggers, then keeps retrying in the
// background while PostgreSQL is unreachable. Never fatal: without companions FerretDB
// still works, only with sequential scans.
func setUpCompanions(ctx context.Context, pgURL string, enabled bool, logger *slog.Logger) {
	logger = logger.With("part", "companion-indexes")
	prepared := make(chan struct{})
	var once sync.Once
	markPrepared := func() { once.Do(func() { close(prepared) }) }

	go func() {
		defer markPrepared()
		defer func() {
			if r := recover(); r != nil {
				logger.Error("companion index set-up crashed; FerretDB runs without it", "panic", r)
			}
		}()
		for {
			err := applyCompanions(ctx, pgURL, enabled, logger, markPrepared)
			if err == nil || ctx.Err() != nil {
				return
			}
			logger.Warn("companion index set-up failed, retrying", "error", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(companionsRetryDelay):
			}
		}
	}()

	select {
	case <-prepared:
	case <-time.After(companionsStartupBudget):
		logger.Warn("PostgreSQL not ready for companion indexes yet; starting FerretDB, set-up continues")
	}
}

func applyCompanions(ctx context.Context, pgURL string, enabled bool, logger *slog.Logger, prepared func()) error {
	connectCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(connectCtx, withoutPoolParams(pgURL))
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())

	if enabled {
		err = installCompanions(ctx, conn)
	} else {
		err = removeCompanions(ctx, conn)
	}
	if err != nil {
		return err
	}
	prepared()

	if !enabled {
		logger.Info("companion indexes removed")
		return nil
	}
	return backfillCompanions(ctx, conn, logger)
}

// installCompanions creates the triggers and makes every session plan each execution of
// a prepared statement with its actual parameters (pgx prepares FerretDB's queries; a
// generic plan would hide the field name from the planner, and no index would match).
func installCompanions(ctx context.Context, conn *pgx.Conn) error {
	if _, err := conn.Exec(ctx, companionsSQL); err != nil {
		return fmt.Errorf("installing triggers: %w", err)
	}
	return alterDatabase(ctx, conn, "SET plan_cache_mode = force_custom_plan")
}

func removeCompanions(ctx context.Context, conn *pgx.Conn) error {
	// Dropping the schema also drops the event triggers, which depend on its functions.
	const q = `
		DO $$ BEGIN
			IF to_regnamespace('ferretdb$companions') IS NOT NULL THEN
				PERFORM ferretdb$companions.remove(c.oid)
				FROM pg_class c WHERE ferretdb$companions.is_ferret_table(c.oid);
				DROP SCHEMA ferretdb$companions CASCADE;
			END IF;
		END $$;`
	if _, err := conn.Exec(ctx, q); err != nil {
		return fmt.Errorf("removing companions: %w", err)
	}
	return alterDatabase(ctx, conn, "RESET plan_cache_mode")
}

func alterDatabase(ctx context.Context, conn *pgx.Conn, change string) error {
	var db string
	if err := conn.QueryRow(ctx, "SELECT current_database()").Scan(&db); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{db}.Sanitize()+" "+change); err != nil {
		return fmt.Errorf("ALTER DATABASE %s: %w", change, err)
	}
	return nil
}

// backfillCompanions covers indexes made before the triggers existed. A table dropped
// meanwhile (tests drop databases constantly) is skipped, not an error.
func backfillCompanions(ctx context.Context, conn *pgx.Conn, logger *slog.Logger) error {
	rows, err := conn.Query(ctx,
		"SELECT c.oid::bigint FROM pg_class c WHERE ferretdb$companions.is_ferret_table(c.oid)")
	if err != nil {
		return err
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return err
	}

	changed := 0
	for _, table := range tables {
		rows, err := conn.Query(ctx, "SELECT ferretdb$companions.sync($1::bigint::oid)", table)
		if err != nil {
			return err
		}
		actions, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return err
			}
			logger.Warn("companion index backfill skipped a table", "oid", table, "error", err)
			continue
		}
		for _, action := range actions {
			logger.Info(action)
		}
		changed += len(actions)
	}
	if changed > 0 {
		logger.Warn("companion indexes backfilled", "changes", changed, "tables", len(tables))
	}
	return nil
}

// withoutPoolParams drops pgxpool's own settings (pool_max_conns, …) from a URL meant for
// FerretDB's pool: a single pgx connection would send them to PostgreSQL as run-time
// parameters, which PostgreSQL refuses ("unrecognized configuration parameter").
func withoutPoolParams(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	for key := range q {
		if strings.HasPrefix(key, "pool_") {
			q.Del(key)
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}
