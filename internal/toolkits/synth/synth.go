// Package synth writes synthetic toolkit files (docs/toolkit-format.md) for
// measuring a large catalog: n toolkits of m tools each, every tool a valid
// GET with a path argument and two query arguments, their words drawn from
// a fixed vocabulary so that searches match some of them. The files are
// the same for the same n, m and revision.
package synth

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
)

// Queries are searches that match some synthetic tools.
var Queries = []string{"list issues", "create a customer invoice", "send a message to a channel", "archive project task", "merge branch release"}

var (
	words = []string{"issue", "comment", "user", "repository", "file", "message", "channel", "event",
		"invoice", "customer", "ticket", "project", "task", "label", "release", "branch", "order", "payment"}
	verbs = []string{"list", "get", "create", "update", "delete", "search", "archive", "merge"}
)

// Slug is the slug of the i-th synthetic toolkit.
func Slug(i int) string { return fmt.Sprintf("synth%03d", i) }

// ToolSlug is the slug of the j-th tool of the i-th synthetic toolkit,
// whatever the revision.
func ToolSlug(i, j int) string { return strings.ToUpper(fmt.Sprintf("%s_T%03d", Slug(i), j)) }

// Files returns n toolkit files of m tools each, by file name
// ("synth000.json", ...). Revision changes every description, so that
// writing the files of another revision over a directory is a change of
// every toolkit that keeps its tools' slugs.
func Files(n, m, revision int) map[string][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	files := make(map[string][]byte, n)
	for i := range n {
		slug := Slug(i)
		tools := make([]map[string]any, 0, m)
		for j := range m {
			verb, noun := verbs[rng.IntN(len(verbs))], words[rng.IntN(len(words))]
			tools = append(tools, map[string]any{
				"slug":        ToolSlug(i, j),
				"name":        fmt.Sprintf("%s %s %d", verb, noun, j),
				"description": fmt.Sprintf("%ss a %s of the %s service, with its %s and %s (revision %d).", verb, noun, slug, words[rng.IntN(len(words))], words[rng.IntN(len(words))], revision),
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
			"slug": slug, "name": "Synthetic " + slug, "description": fmt.Sprintf("A generated toolkit (revision %d).", revision), "logo": "https://example.com/logo.png",
			"categories": []map[string]any{{"slug": "dev", "name": "Dev"}}, "base_url": "https://api.example.com",
			"auth_schemes": []map[string]any{{"mode": "BEARER_TOKEN",
				"fields": []map[string]any{{"name": "token", "display_name": "Token", "description": "A token.", "type": "string", "required": true, "secret": true}},
				"apply":  map[string]any{"header": "Authorization", "prefix": "Bearer ", "field": "token"}}},
			"version": "20261201_00", "errors": "http", "tools": tools,
		}
		b, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			panic(err) // maps of strings and slices always marshal
		}
		files[slug+".json"] = b
	}
	return files
}
