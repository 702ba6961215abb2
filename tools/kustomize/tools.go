//go:build tools

// Package tools pins kustomize (sigs.k8s.io/kustomize/kustomize/v5): built by
// tools/deploy-tools.mjs with `go build`, it renders deploy/k8s for the manifest tests.
package tools

import _ "sigs.k8s.io/kustomize/kustomize/v5"
