package openapi

import (
	"fmt"
	"io"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// Report says what an import did: the tools made, the operations skipped
// and why, what was simplified, and how each security scheme was mapped.
type Report struct {
	// Tools lists the imported tools in the order of the file.
	Tools []ImportedTool `json:"tools"`
	// Skipped lists the selected operations that became no tool.
	Skipped []SkippedOperation `json:"skipped,omitempty"`
	// Schemes says what became of each security scheme considered.
	Schemes []SchemeNote `json:"schemes,omitempty"`
	// Notes are toolkit-level remarks: the server chosen, defaults taken.
	Notes []string `json:"notes,omitempty"`
}

// ImportedTool is one tool made from an operation.
type ImportedTool struct {
	Slug string `json:"slug"`
	// Operation is "METHOD /path" as the document writes the path.
	Operation   string `json:"operation"`
	OperationID string `json:"operation_id,omitempty"`
	// Simplified lists, by argument path, what the tool's input schema or
	// request says differently from the document.
	Simplified []string `json:"simplified,omitempty"`
}

// SkippedOperation is a selected operation that could not become a tool.
type SkippedOperation struct {
	Operation   string `json:"operation"`
	OperationID string `json:"operation_id,omitempty"`
	Reason      string `json:"reason"`
}

// SchemeNote is what became of one security scheme of the document.
type SchemeNote struct {
	Name string `json:"name"`
	// Mode is the auth scheme it became, empty for a remark or a skip.
	Mode toolkits.Mode `json:"mode,omitempty"`
	Note string        `json:"note"`
}

func (r *Report) scheme(name string, mode toolkits.Mode, note string) {
	r.Schemes = append(r.Schemes, SchemeNote{Name: name, Mode: mode, Note: note})
}

func (r *Report) notef(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}

// Simplifications counts the simplification notes of all tools.
func (r *Report) Simplifications() int {
	n := 0
	for _, t := range r.Tools {
		n += len(t.Simplified)
	}
	return n
}

// Write writes the report as text for a person: the summary, the notes,
// the schemes and the skipped operations, and with verbose every tool with
// its simplifications.
func (r *Report) Write(w io.Writer, verbose bool) error {
	var b strings.Builder
	fmt.Fprintf(&b, "imported %d tools, skipped %d operations, %d simplifications\n", len(r.Tools), len(r.Skipped), r.Simplifications())
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	for _, s := range r.Schemes {
		if s.Mode != "" {
			fmt.Fprintf(&b, "auth scheme %s -> %s: %s\n", s.Name, s.Mode, s.Note)
		} else {
			fmt.Fprintf(&b, "auth scheme %s: %s\n", s.Name, s.Note)
		}
	}
	for _, s := range r.Skipped {
		id := ""
		if s.OperationID != "" {
			id = " (" + s.OperationID + ")"
		}
		fmt.Fprintf(&b, "skipped %s%s: %s\n", s.Operation, id, s.Reason)
	}
	for _, t := range r.Tools {
		if !verbose {
			break
		}
		fmt.Fprintf(&b, "tool %s <- %s\n", t.Slug, t.Operation)
		for _, s := range t.Simplified {
			fmt.Fprintf(&b, "  simplified %s\n", s)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
