package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"

	"github.com/switchboard-dev/switchboard/wire"
)

// An executed tool's data is the bulk of an execute's answer, and the
// execute path has already checked that it is one JSON value (the
// upstream's object, checked once as it arrived, or one it encoded).
// encoding/json would scan and compact those bytes once more, which cost
// about a tenth of an execute's CPU in the cross-process benchmark, so the
// answers of execute write the envelope with encoding/json and the data
// spliced in as it is.

// dataPlaceholder stands for the data while the envelope is encoded: a
// valid JSON value that encodes as itself.
var dataPlaceholder = json.RawMessage("0")

var envelopes = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// writeExecuted writes an execute answer: out, whose first field, Data,
// holds dataPlaceholder, with data in its place (null when empty).
func writeExecuted[T wire.ToolExecuteResponse | wire.SessionExecuteResponse](w http.ResponseWriter, out T, data json.RawMessage) {
	if len(data) == 0 {
		data = json.RawMessage("null")
	}
	buf := envelopes.Get().(*bytes.Buffer)
	defer func() { buf.Reset(); envelopes.Put(buf) }()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	const head = `{"data":0`
	if err := enc.Encode(out); err != nil || !bytes.HasPrefix(buf.Bytes(), []byte(head)) {
		panic("api: an execute answer's envelope must start with its data") // a change to the wire types
	}
	env := buf.Bytes()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write([]byte(head[:len(head)-1]))
	w.Write(data)
	w.Write(env[len(head):])
}
