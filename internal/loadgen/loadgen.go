// Package loadgen drives operations for the benchmarks, in-process ones
// (internal/e2e) and the cross-process harness (cmd/switchboard-bench)
// alike: latencies of operations taken in turn in a new random order each
// round, so that every operation meets the same conditions and their
// ratios are not skewed by whatever else the machine did meanwhile, and
// throughput of concurrent clients in alternating windows.
package loadgen

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Interleave runs the ops in turn, n rounds after a warm-up of n/10, each
// round in a new random order, and returns each op's durations.
func Interleave(n int, ops ...func() error) ([][]time.Duration, error) {
	for range n / 10 {
		for _, op := range ops {
			if err := op(); err != nil {
				return nil, err
			}
		}
	}
	out := make([][]time.Duration, len(ops))
	order := make([]int, len(ops))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range n {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			t0 := time.Now()
			if err := ops[i](); err != nil {
				return nil, err
			}
			out[i] = append(out[i], time.Since(t0))
		}
	}
	return out, nil
}

// Throughput runs each op from c clients for one window at a time, in
// turn, rounds times, and returns each op's requests per second. around,
// when set, wraps each window (run) of op i, to measure beside it.
func Throughput(c int, window time.Duration, rounds int, ops []func() error, around func(i int, run func() (int64, error)) error) ([]float64, error) {
	counts := make([]int64, len(ops))
	elapsed := make([]time.Duration, len(ops))
	for range rounds {
		for i, op := range ops {
			run := func() (int64, error) {
				var total atomic.Int64
				var once sync.Once
				var firstErr error
				t0 := time.Now()
				deadline := t0.Add(window)
				var wg sync.WaitGroup
				for range c {
					wg.Go(func() {
						for time.Now().Before(deadline) {
							if err := op(); err != nil {
								once.Do(func() { firstErr = err })
								return
							}
							total.Add(1)
						}
					})
				}
				wg.Wait()
				elapsed[i] += time.Since(t0)
				counts[i] += total.Load()
				if firstErr != nil {
					return 0, firstErr
				}
				return total.Load(), nil
			}
			var err error
			if around != nil {
				err = around(i, run)
			} else {
				_, err = run()
			}
			if err != nil {
				return nil, err
			}
		}
	}
	out := make([]float64, len(ops))
	for i := range ops {
		out[i] = float64(counts[i]) / elapsed[i].Seconds()
	}
	return out, nil
}
