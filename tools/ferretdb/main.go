// Command ferretdb runs FerretDB 1.24.2 through its embeddable API.
// The upstream cmd/ferretdb panics when built with `go install` because its
// version file is not part of the module, so we wrap the library instead.
package main

import (
	"context"
	"flag"
	"log/slog"
	"net/http"
	_ "net/http/pprof" // served only when -debug-addr is set
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	pgURL := flag.String("postgresql-url", "postgres://127.0.0.1:5432/ferretdb", "PostgreSQL connection string")
	level := flag.String("log-level", "warn", "debug, info, warn or error")
	companionIndexes := flag.Bool("companion-indexes", true,
		"keep a GIN index next to each indexed field so equality filters use an index (false removes them)")
	debugAddr := flag.String("debug-addr", "",
		"serve Go's /debug/pprof on this TCP address for profiling (empty: off)")
	flag.Parse()

	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil {
		lvl = slog.LevelWarn
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:      ferretdb.ListenerConfig{TCP: *listen},
		Logger:        logger,
		Handler:       "postgresql",
		PostgreSQLURL: *pgURL,
	})
	if err != nil {
		logger.Error("ferretdb failed to start", "error", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if *debugAddr != "" {
		go func() {
			if err := http.ListenAndServe(*debugAddr, nil); err != nil {
				logger.Error("debug listener stopped", "error", err)
			}
		}()
	}

	setUpCompanions(ctx, *pgURL, *companionIndexes, logger)

	logger.Warn("ferretdb listening", "addr", *listen)
	if err := f.Run(ctx); err != nil {
		logger.Error("ferretdb stopped", "error", err)
		os.Exit(1)
	}
}
