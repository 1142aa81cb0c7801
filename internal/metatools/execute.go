package metatools

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/switchboard-dev/switchboard/internal/execute"
	"github.com/switchboard-dev/switchboard/internal/reqlog"
	"github.com/switchboard-dev/switchboard/wire"
)

// Outcome is the one shape of an executed call an agent reads, as
// Composio's tools answer: a multi-execute's results and MCP's direct
// tools both return it.
type Outcome struct {
	Successful         bool            `json:"successful"`
	Data               json.RawMessage `json:"data"`
	Error              *string         `json:"error"`
	LogID              string          `json:"log_id,omitempty"`
	ConnectedAccountID string          `json:"connected_account_id,omitempty"`
	// NextPage, for a tool with a pagination hint, holds the arguments to
	// add to the same call to get the next page; absent on the last page.
	NextPage map[string]any `json:"next_page,omitempty"`
	// ErrorDetails is the machine-readable error (wire.ToolError), for
	// the failures that have one.
	ErrorDetails *wire.ToolError `json:"error_details,omitempty"`
}

// ErrorDetails is the machine-readable error of an executed call, nil
// when its failure has no code (or it did not fail).
func ErrorDetails(res execute.Result) *wire.ToolError {
	if res.Error == "" || res.Throttle == nil {
		return nil
	}
	e := &wire.ToolError{Code: wire.ToolErrorUpstreamRateLimited, UpstreamStatus: res.Status}
	if res.Throttle.HasRetry {
		s := res.Throttle.RetryAfterSeconds()
		e.RetryAfter = &s
	}
	return e
}

// OutcomeOf is the outcome of an executed call.
func OutcomeOf(res execute.Result) Outcome {
	o := Outcome{Successful: res.Error == "", Data: res.Data, LogID: res.LogID, ConnectedAccountID: res.AccountID, NextPage: res.NextPage,
		ErrorDetails: ErrorDetails(res)}
	if res.Error != "" {
		msg := res.Error
		o.Error = &msg
	}
	return o
}

// callResult is the outcome of one call of a multi-execute.
type callResult struct {
	Index    int    `json:"index"`
	ToolSlug string `json:"tool_slug"`
	Outcome
}

type multiOutput struct {
	Results       []callResult `json:"results"`
	TotalCount    int          `json:"total_count"`
	SuccessCount  int          `json:"success_count"`
	ErrorCount    int          `json:"error_count"`
	AllSuccessful bool         `json:"all_successful"`
}

type toolCall struct {
	ToolSlug  string          `json:"tool_slug"`
	Arguments json.RawMessage `json:"arguments"`
	Account   string          `json:"account"`
}

// multiExecute is COMPOSIO_MULTI_EXECUTE_TOOL: up to MaxCalls tool calls
// at once, each with its own result.
func (r *run) multiExecute(ctx context.Context, args json.RawMessage) Result {
	var in struct {
		Tools []toolCall `json:"tools"`
	}
	if err := decodeArgs(args, &in); err != nil {
		return Failure(err.Error(), nil)
	}
	if len(in.Tools) == 0 || len(in.Tools) > MaxCalls {
		return Failure(fmt.Sprintf("tools must list between 1 and %d tool calls, got %d", MaxCalls, len(in.Tools)), nil)
	}
	parallel := r.s.Parallel
	if parallel <= 0 {
		parallel = 8
	}
	out := multiOutput{Results: make([]callResult, len(in.Tools)), TotalCount: len(in.Tools)}
	kept := &answer{mem: r.s.Execute.MemoryBudget()}
	defer kept.release()
	// Each call gets a log record of its own, not a share of the request's.
	ctx = reqlog.NewContext(ctx, nil)
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, tc := range in.Tools {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			defer r.recoverAs(ctx, tc.ToolSlug, func(msg string) {
				out.Results[i] = callResult{Index: i, ToolSlug: tc.ToolSlug, Outcome: Outcome{Data: json.RawMessage(`{}`), Error: &msg}}
			})
			out.Results[i] = kept.keep(r.call(ctx, i, tc))
		})
	}
	wg.Wait()
	var lines []string
	for _, cr := range out.Results {
		if cr.Successful {
			out.SuccessCount++
			lines = append(lines, fmt.Sprintf("%d. %s succeeded.", cr.Index+1, cr.ToolSlug))
		} else {
			out.ErrorCount++
			lines = append(lines, fmt.Sprintf("%d. %s failed: %s", cr.Index+1, cr.ToolSlug, *cr.Error))
		}
	}
	out.AllSuccessful = out.ErrorCount == 0
	summary := fmt.Sprintf("%d of %d calls succeeded. %s", out.SuccessCount, out.TotalCount, strings.Join(lines, " "))
	if out.SuccessCount == 0 {
		if len(out.Results) == 1 {
			return Failure(*out.Results[0].Error, out)
		}
		return Failure(summary, out)
	}
	return NewResult(summary, out)
}

// answer is what the results of one multi-execute hold: at most
// MaxAnswer bytes, taken from the process's memory budget until the
// answer is built.
type answer struct {
	mem *execute.Memory

	mu    sync.Mutex
	bytes int64
}

// keep returns cr if the answer has room for its data, and otherwise cr
// with its data dropped and an error saying why. Room in the answer is
// not enough: the process's memory budget must have it too. Error
// messages are short (toolkits clips an upstream's) and not counted.
func (a *answer) keep(cr callResult) callResult {
	n := int64(len(cr.Data))
	if string(cr.Data) == "{}" {
		return cr // nothing to drop
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	var why, msg string
	switch {
	case a.bytes+n > MaxAnswer:
		why = fmt.Sprintf("the answer of this %s would exceed %d bytes (%d MiB)", MultiExecuteTool, MaxAnswer, MaxAnswer>>20)
		msg = "result dropped: " + why + "; the call was made, run it in a request of its own to get its result"
	case !a.mem.Take(n):
		why = execute.ErrBusy.Error()
		msg = "result dropped: " + why
	default:
		a.bytes += n
		return cr
	}
	if cr.Error != nil {
		msg = *cr.Error + " (data dropped: " + why + ")"
	}
	cr.Successful, cr.Data, cr.Error = false, json.RawMessage(`{}`), &msg
	return cr
}

// release gives the kept results' bytes back to the memory budget.
func (a *answer) release() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.mem.Give(a.bytes)
	a.bytes = 0
}

// call makes one call of a multi-execute.
func (r *run) call(ctx context.Context, i int, tc toolCall) callResult {
	cr := callResult{Index: i, ToolSlug: tc.ToolSlug, Outcome: Outcome{Data: json.RawMessage(`{}`)}}
	fail := func(msg string) callResult { cr.Error = &msg; return cr }
	if strings.TrimSpace(tc.ToolSlug) == "" {
		return fail("tool_slug is required")
	}
	args, err := Arguments(tc.Arguments)
	if err != nil {
		return fail(err.Error())
	}
	res, err := r.s.Execute.Execute(ctx, r.p, execute.Call{Tool: tc.ToolSlug, Arguments: args, SessionID: r.sess.ID, Account: tc.Account})
	if err != nil {
		return fail(r.message(ctx, err))
	}
	cr.Outcome = OutcomeOf(res)
	return cr
}
