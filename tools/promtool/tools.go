//go:build tools

// Package tools pins promtool (github.com/prometheus/prometheus/cmd/promtool): built by
// tools/deploy-tools.mjs with `go build`, it checks deploy/prometheus*.yml and deploy/alerts.yml.
package tools

import _ "github.com/prometheus/prometheus/cmd/promtool"
