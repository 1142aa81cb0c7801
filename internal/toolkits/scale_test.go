package toolkits

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// syntheticDefinitions makes n toolkits of m tools each, every tool a
// valid GET with a path argument and two query arguments, their words
// drawn from a fixed vocabulary so that searches match some tools.
func syntheticDefinitions(tb testing.TB, n, m int) []Definition {
	tb.Helper()
	words := []string{"issue", "comment", "user", "repository", "file", "message", "channel", "event",
		"invoice", "customer", "ticket", "project", "task", "label", "release", "branch", "order", "payment"}
	verbs := []string{"list", "get", "create", "update", "delete", "search", "archive", "merge"}
	rng := rand.New(rand.NewPCG(1, 2))
	defs := make([]Definition, 0, n)
	for i := range n {
		slug := fmt.Sprintf("synth%03d", i)
		tools := make([]map[string]any, 0, m)
		for j := range m {
			verb, noun := verbs[rng.IntN(len(verbs))], words[rng.IntN(len(words))]
			tools = append(tools, map[string]any{
				"slug":        strings.ToUpper(fmt.Sprintf("SYNTH%03d_%s_%s_%d", i, verb, noun, j)),
				"name":        fmt.Sprintf("%s %s %d", verb, noun, j),
				"description": fmt.Sprintf("%ss a %s of the %s service, with its %s and %s.", verb, noun, slug, words[rng.IntN(len(words))], words[rng.IntN(len(words))]),
				"tags":        []string{"readOnlyHint"},
				"input": map[string]any{"type": "object", "required": []string{"id"}, "properties": map[string]any{
					"id":    map[string]any{"type": "string", "description": "The " + noun + "'s id."},
					"limit": map[string]any{"type": "integer", "description": "How many.", "minimum": 1},
					"q":     map[string]any{"type": "string", "description": "Text to match."},
				}},
				"output":  map[string]any{"type": "object", "properties": map[string]any{}},
				"request": map[string]any{"method": "GET", "path": "/" + noun + "s/{id}", "query": map[string]any{"limit": "$limit", "q": "$q"}},
			})
		}
		doc := map[string]any{
			"slug": slug, "name": "Synthetic " + slug, "description": "A generated toolkit.", "logo": "https://example.com/logo.png",
			"categories": []map[string]any{{"slug": "dev", "name": "Dev"}}, "base_url": "https://api.example.com",
			"auth_schemes": []map[string]any{{"mode": "BEARER_TOKEN",
				"fields": []map[string]any{{"name": "token", "display_name": "Token", "description": "A token.", "type": "string", "required": true, "secret": true}},
				"apply":  map[string]any{"header": "Authorization", "prefix": "Bearer ", "field": "token"}}},
			"version": "20261201_00", "errors": "http", "tools": tools,
		}
		b, err := json.Marshal(doc)
		if err != nil {
			tb.Fatal(err)
		}
		d, err := Parse(slug+".json", b)
		if err != nil {
			tb.Fatal(err)
		}
		defs = append(defs, d)
	}
	return defs
}

// TestScale5000 measures what a catalog of 5,000 tools costs, against the
// built-in catalog in the same process: compile time, and the
// search p50 and p99. It reports; it asserts only that the tools are there.
// Run: go test ./internal/toolkits -run Scale5000 -v.
func TestScale5000(t *testing.T) {
	if testing.Short() {
		t.Skip("measures")
	}
	builtins, err := BuiltinDefinitions()
	if err != nil {
		t.Fatal(err)
	}
	synth := syntheticDefinitions(t, 50, 100)
	measure := func(defs []Definition) (*Catalog, time.Duration) {
		start := time.Now()
		c, err := New(defs...)
		if err != nil {
			t.Fatal(err)
		}
		return c, time.Since(start)
	}
	base, baseTook := measure(builtins)
	big, bigTook := measure(append(slices.Clone(builtins), synth...))
	if got := len(big.Tools()); got != len(base.Tools())+5000 {
		t.Fatalf("catalog has %d tools, want %d", got, len(base.Tools())+5000)
	}
	search := func(c *Catalog) (p50, p99 time.Duration) {
		queries := []string{"list issues", "create a customer invoice", "send a message to a channel", "archive project task", "merge branch release"}
		var ds []time.Duration
		for i := range 500 {
			start := time.Now()
			c.SearchTools(queries[i%len(queries)], nil, 0)
			ds = append(ds, time.Since(start))
		}
		slices.Sort(ds)
		return ds[len(ds)/2], ds[len(ds)*99/100]
	}
	b50, b99 := search(base)
	s50, s99 := search(big)
	t.Logf("compile: %d tools %v, %d tools %v (%.1fx)",
		len(base.Tools()), baseTook, len(big.Tools()), bigTook, float64(bigTook)/float64(baseTook))
	t.Logf("search: p50 %v / p99 %v at %d tools; p50 %v / p99 %v at %d tools (p50 %.1fx)",
		b50, b99, len(base.Tools()), s50, s99, len(big.Tools()), float64(s50)/float64(b50))
}
