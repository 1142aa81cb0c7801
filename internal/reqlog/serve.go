package reqlog

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/switchboard-dev/switchboard/internal/ids"
)

// Serve runs h as one request of REST or MCP alike: it gives the request
// an id (in the context and the x-request-id header), recovers a panic
// (logged with its stack; failed answers it when nothing was written yet)
// and logs one access record, never the path's query, with what the
// domain added to the request's Record.
func Serve(log *slog.Logger, rw http.ResponseWriter, r *http.Request, failed, h http.HandlerFunc) {
	start := time.Now()
	rid := ids.New(ids.Request, 16)
	w := &statusWriter{ResponseWriter: rw}
	w.Header().Set("x-request-id", rid)
	var rec Record
	r = r.WithContext(NewContext(WithRequestID(r.Context(), rid), &rec))
	defer func() {
		if v := recover(); v != nil {
			log.ErrorContext(r.Context(), "panic", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if w.status == 0 {
				failed(w, r)
			}
		}
		rec.Log(r.Context(), log, "request", slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", w.status), slog.Int64("duration_ms", time.Since(start).Milliseconds()))
	}()
	h(w, r)
}

// statusWriter remembers the status for the access record. It unwraps for
// http.ResponseController, which the MCP SDK uses to flush event streams.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush sends buffered data to the client.
func (w *statusWriter) Flush() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap returns the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
