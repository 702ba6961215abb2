// Command promql-names parses PromQL expressions with Prometheus' own parser and prints the
// metric names each one selects, so tests can check that dashboards and alert rules only use
// metrics the code exports.
//
// Input (stdin): a JSON array of expressions. Output (stdout): a JSON array, one object per
// expression: {"expr": ..., "metrics": [...]} or {"expr": ..., "error": "..."}.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

type result struct {
	Expr    string   `json:"expr"`
	Metrics []string `json:"metrics,omitempty"`
	Error   string   `json:"error,omitempty"`
}

func main() {
	var exprs []string
	if err := json.NewDecoder(os.Stdin).Decode(&exprs); err != nil {
		fmt.Fprintln(os.Stderr, "promql-names: stdin must be a JSON array of strings:", err)
		os.Exit(2)
	}
	results := make([]result, 0, len(exprs))
	for _, expr := range exprs {
		results = append(results, inspect(expr))
	}
	if err := json.NewEncoder(os.Stdout).Encode(results); err != nil {
		fmt.Fprintln(os.Stderr, "promql-names:", err)
		os.Exit(1)
	}
}

func inspect(expr string) result {
	node, err := parser.NewParser(parser.Options{}).ParseExpr(expr)
	if err != nil {
		return result{Expr: expr, Error: err.Error()}
	}
	names := map[string]bool{}
	parser.Inspect(node, func(n parser.Node, _ []parser.Node) error {
		vs, ok := n.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		if vs.Name != "" {
			names[vs.Name] = true
			return nil
		}
		for _, m := range vs.LabelMatchers {
			if m.Name == labels.MetricName && m.Type == labels.MatchEqual {
				names[m.Value] = true
			}
		}
		return nil
	})
	out := make([]string, 0, len(names))
	for name := range names {
		out = append(out, name)
	}
	sort.Strings(out)
	return result{Expr: expr, Metrics: out}
}
