package store

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestMigrationProgress: a migration that passes SlowMigration is reported
// when it passes it and when it ends; a quick one is not reported.
func TestMigrationProgress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var got []string
		ctx := WithMigrationProgress(context.Background(), func(v string, done bool, took time.Duration) {
			got = append(got, fmt.Sprintf("%s %v %v", v, done, took))
		})
		end := StartMigration(ctx, "0001_quick")
		time.Sleep(SlowMigration / 2)
		end()
		end = StartMigration(ctx, "0002_slow")
		time.Sleep(3 * SlowMigration)
		end()
		synctest.Wait()
		want := []string{"0002_slow false 1s", "0002_slow true 3s"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("reports (-want +got):\n%s", diff)
		}
		StartMigration(context.Background(), "0003_unwatched")() // no reporter: nothing to call
	})
}
