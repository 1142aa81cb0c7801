package synth

import (
	"encoding/json"
	"fmt"
)

// OpenAPI returns an OpenAPI 3.0 document (JSON) with n operations that
// the importer (internal/toolkits/openapi) maps to n tools: over n/2
// paths, alternately a GET with a path and two query parameters and a
// POST with a JSON body, each answering a schema shared through
// components, under one bearer security scheme. It measures and tests
// long imports; the document is the same for the same n.
func OpenAPI(n int) []byte {
	paths := map[string]any{}
	schemas := map[string]any{}
	for i := 0; i < n; i += 2 {
		noun := words[(i/2)%len(words)]
		item := fmt.Sprintf("%s%d", noun, i/2)
		schemas[item] = map[string]any{"type": "object", "properties": map[string]any{
			"id":      map[string]any{"type": "string", "description": "The " + noun + "'s id."},
			"name":    map[string]any{"type": "string", "description": "What the " + noun + " is called."},
			"created": map[string]any{"type": "string", "format": "date-time"},
			"labels":  map[string]any{"type": "array", "items": map[string]any{"type": "string"}},
		}}
		answer := map[string]any{"200": map[string]any{"description": "The " + noun + ".", "content": map[string]any{
			"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/" + item}}}}}
		ops := map[string]any{"get": map[string]any{
			"operationId": "get_" + item, "summary": fmt.Sprintf("Get a %s (%d)", noun, i),
			"description": fmt.Sprintf("Returns one %s of collection %d by its id.", noun, i/2),
			"parameters": []any{
				map[string]any{"name": "id", "in": "path", "required": true, "schema": map[string]any{"type": "string"}},
				map[string]any{"name": "limit", "in": "query", "schema": map[string]any{"type": "integer", "minimum": 1}},
				map[string]any{"name": "q", "in": "query", "schema": map[string]any{"type": "string"}},
			},
			"responses": answer,
		}}
		if i+1 < n {
			ops["post"] = map[string]any{
				"operationId": "update_" + item, "summary": fmt.Sprintf("Update a %s (%d)", noun, i+1),
				"parameters": []any{map[string]any{"name": "id", "in": "path", "required": true, "schema": map[string]any{"type": "string"}}},
				"requestBody": map[string]any{"required": true, "content": map[string]any{
					"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/" + item}}}},
				"responses": answer,
			}
		}
		paths[fmt.Sprintf("/%ss%d/{id}", noun, i/2)] = ops
	}
	doc := map[string]any{
		"openapi": "3.0.3",
		"info":    map[string]any{"title": "Synthetic API", "version": "1.0", "description": fmt.Sprintf("A generated API of %d operations.", n)},
		"servers": []any{map[string]any{"url": "https://api.example.com/v1"}},
		"paths":   paths,
		"components": map[string]any{
			"schemas":         schemas,
			"securitySchemes": map[string]any{"token": map[string]any{"type": "http", "scheme": "bearer"}},
		},
		"security": []any{map[string]any{"token": []any{}}},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err) // maps of strings and slices always marshal
	}
	return b
}
