package execlog

import (
	"encoding/json"
	"fmt"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/postgres"
	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
)

// benchEntry is an execution as the execute benchmark makes it: a few
// arguments and the fake GitHub's user as the answer.
func benchEntry(i int, at time.Time) Entry {
	e := entry(fmt.Sprintf("log_%09d", i), at)
	e.Log.ConnectedAccountID, e.Log.AuthConfigID, e.Log.UserID = "ca_0123456789abcdef", "ac_0123456789abcdef", "user_bench"
	e.Log.SessionID, e.Log.RequestID, e.Log.UpstreamStatus = "trs_0123456789abcdef", "req_0123456789abcdef", 200
	e.Arguments = map[string]any{"page": 1.0, "note": "a benchmark call"}
	e.Response = json.RawMessage(`{"login":"octocat","id":1,"node_id":"MDQ6VXNlcjE=","avatar_url":"https://github.com/images/error/octocat_happy.gif","type":"User","site_admin":false,"name":"monalisa octocat","company":"GitHub","blog":"https://github.com/blog","location":"San Francisco","email":"octocat@github.com","public_repos":2,"followers":20,"following":0}`)
	return e
}

// BenchmarkEncode is the writer's work on one entry before the store.
func BenchmarkEncode(b *testing.B) {
	for _, a := range benchAnswers(b) {
		e := benchEntry(1, time.Now())
		e.Response = a.answer
		b.Run("answer="+a.name, func(b *testing.B) {
			for b.Loop() {
				encode(e)
			}
		})
	}
}

func TestMain(m *testing.M) { postgrestest.Main(m) }

// benchAnswer is an answer a benchmark record carries, and its name.
type benchAnswer struct {
	name   string
	answer json.RawMessage
}

// benchAnswers are the answers the benchmarks encode and store: none, the
// 0.4 kB of benchEntry, and the 1.6 kB GitHub /user answer of the
// cross-process harness (cmd/switchboard-bench), which separate what a
// record costs the store by itself from what its answer's bytes cost.
func benchAnswers(b *testing.B) []benchAnswer {
	user, err := os.ReadFile("../../cmd/switchboard-bench/github_user.json")
	if err != nil {
		b.Fatal(err)
	}
	return []benchAnswer{{"none", nil}, {"0.4kB", benchEntry(0, time.Now()).Response}, {"github-user", user}}
}

// benchAppend stores batches of 100 encoded records and reports the
// cost per record, for each of benchAnswers.
func benchAppend(b *testing.B, st store.Logs) {
	for _, a := range benchAnswers(b) {
		b.Run("answer="+a.name, func(b *testing.B) { benchAppendAnswer(b, st, a.name, a.answer) })
	}
}

// benchSeq numbers the benchmark's records: runs share a store.
var benchSeq atomic.Int64

func benchAppendAnswer(b *testing.B, st store.Logs, name string, answer json.RawMessage) {
	batch := benchBatch
	at := time.Now().UTC()
	recs := make([]store.ExecutionLog, batch)
	e := benchEntry(0, at)
	e.Response = answer
	rec := encode(e)
	n := 0
	cpu0 := cpuTime(b)
	for b.Loop() {
		for i := range recs {
			recs[i] = rec
			recs[i].ID = fmt.Sprintf("log_%s_%09d", name, benchSeq.Add(1))
			n++
		}
		if err := st.AppendExecutionLogs(b.Context(), recs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/record")
	// The writer runs off the execute path: what it costs the server is
	// CPU, the database's included when it is in the process (SQLite).
	b.ReportMetric(float64((cpuTime(b)-cpu0).Nanoseconds())/float64(n), "cpu-ns/record")
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkAppendSQLite(b *testing.B) { benchAppend(b, newStoreB(b)) }

func BenchmarkAppendPostgres(b *testing.B) {
	s, err := postgres.Open(b.Context(), postgrestest.URL(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	benchAppend(b, s)
}

// benchBatch is the batch benchAppend stores: about what the writer
// gathers within its linger at ten thousand executions a second.
var benchBatch = 100
