package openapi

import (
	"encoding/json"

	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// This file holds the toolkit file format that Import produces. The tool
// types are local copies of the definition format of defs/tools/*.json;
// TODO(toolkits as data, item 1): switch them to the exported definition
// types when the single-file loader lands.

// File is one toolkit file: a single JSON object with the fields of a
// toolkit definition (defs/<slug>.json) plus the tools' version, the
// provider's error convention and the tools themselves.
type File struct {
	toolkits.Toolkit
	// Version is the version of the tool definitions, such as
	// "20260601_00".
	Version string `json:"version"`
	// Errors is the provider's error convention: "http", "slack" or
	// "graphql".
	Errors string `json:"errors"`
	Tools  []Tool `json:"tools"`
}

// Tool is one tool definition, as in defs/tools/<slug>.json.
type Tool struct {
	Slug        string          `json:"slug"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Tags        []string        `json:"tags"`
	Input       json.RawMessage `json:"input"`
	Output      json.RawMessage `json:"output"`
	Request     Request         `json:"request"`
}

// Request says how a tool's arguments become the upstream request; "$arg"
// strings stand for arguments. See the toolkits package documentation.
type Request struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Query   map[string]string `json:"query,omitempty"`
	Arrays  string            `json:"arrays,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    json.RawMessage   `json:"body,omitempty"`
	Form    map[string]string `json:"form,omitempty"`
}
