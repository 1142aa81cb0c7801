package api

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/switchboard-dev/switchboard/wire"
)

// TestWriteExecuted: the spliced answer decodes to what encoding/json
// would have written, for data of every shape execute returns.
func TestWriteExecuted(t *testing.T) {
	msg := "HTTP 404: <not found> & \"gone\""
	for _, data := range []string{`{"login":"octocat","n":1}`, "{\n  \"a\": [1, 2]\n}\n", `{}`, ``} {
		for _, out := range []wire.SessionExecuteResponse{
			{Data: dataPlaceholder, LogID: "log_1", ResultType: "completed"},
			{Data: dataPlaceholder, Error: &msg, LogID: "log_2", ResultType: "failed"},
		} {
			rec := httptest.NewRecorder()
			writeExecuted(rec, out, json.RawMessage(data))
			want := out
			want.Data = json.RawMessage(data)
			if data == "" {
				want.Data = nil // encoding/json writes null for no data
			}
			ref := httptest.NewRecorder()
			writeJSON(ref, 200, want)
			var got, exp any
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("data %q: the answer is not JSON: %v\n%s", data, err, rec.Body)
			}
			json.Unmarshal(ref.Body.Bytes(), &exp)
			g, _ := json.Marshal(got)
			e, _ := json.Marshal(exp)
			if !bytes.Equal(g, e) || rec.Header().Get("Content-Type") != "application/json" || rec.Code != 200 {
				t.Errorf("data %q: got %s, want %s", data, rec.Body, ref.Body)
			}
		}
	}
}

// BenchmarkWriteExecuted compares the spliced answer with encoding/json's
// for a 1.6 kB upstream object (run: go test ./internal/api -run '^$'
// -bench WriteExecuted).
func BenchmarkWriteExecuted(b *testing.B) {
	obj := map[string]any{}
	for i := range 40 {
		obj["field_"+string(rune('a'+i%26))+string(rune('a'+i/26))] = "https://api.github.com/users/octocat/value"
	}
	data, _ := json.Marshal(obj)
	out := wire.SessionExecuteResponse{LogID: "log_NXVWqgZEzCXro2ny", ResultType: "completed"}
	b.Run("encoding-json", func(b *testing.B) {
		o := out
		o.Data = data
		for b.Loop() {
			writeJSON(httptest.NewRecorder(), 200, o)
		}
	})
	b.Run("spliced", func(b *testing.B) {
		o := out
		o.Data = dataPlaceholder
		for b.Loop() {
			writeExecuted(httptest.NewRecorder(), o, data)
		}
	})
}
