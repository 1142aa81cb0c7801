package config

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestBindPrecedence(t *testing.T) {
	env := map[string]string{
		"SWITCHBOARD_ADDR":           "127.0.0.1:9999",
		"SWITCHBOARD_DATA_DIR":       "/tmp/env",
		"SWITCHBOARD_ENCRYPTION_KEY": "k",
	}
	c := Default()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	c.Bind(fs, func(k string) string { return env[k] })
	if err := fs.Parse([]string{"-data-dir", "/tmp/flag"}); err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9999" {
		t.Errorf("Addr: got %q, want the environment's", c.Addr)
	}
	if c.DataDir != "/tmp/flag" {
		t.Errorf("DataDir: got %q, want the flag's", c.DataDir)
	}
	if c.EncryptionKey != "k" {
		t.Errorf("EncryptionKey: got %q, want the environment's", c.EncryptionKey)
	}
	if got, want := c.Public(), "http://127.0.0.1:9999"; got != want {
		t.Errorf("Public: got %q, want %q", got, want)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"default", func(*Config) {}, ""},
		{"bad addr", func(c *Config) { c.Addr = "nope" }, "host:port"},
		{"bad public url", func(c *Config) { c.PublicURL = "ftp://x" }, "SWITCHBOARD_PUBLIC_URL"},
		{"mysql", func(c *Config) { c.DatabaseURL = "mysql://x" }, "postgres://"},
		{"postgres without key", func(c *Config) { c.DatabaseURL = "postgres://x/db" }, "SWITCHBOARD_ENCRYPTION_KEY"},
		{"postgres with key", func(c *Config) { c.DatabaseURL = "postgres://x/db"; c.EncryptionKey = "k" }, ""},
		{"short bootstrap key", func(c *Config) { c.BootstrapAPIKey = "sb_0123456789abcdefghijklmnopqr" }, "SWITCHBOARD_BOOTSTRAP_API_KEY has 31 characters, fewer than 32"},
		{"bootstrap key of 32", func(c *Config) { c.BootstrapAPIKey = "sb_0123456789abcdefghijklmnopqrs" }, ""},
		{"toolkits dir", func(c *Config) { c.ToolkitsDir = os.TempDir() }, ""},
		{"missing toolkits dir", func(c *Config) { c.ToolkitsDir = filepath.Join(os.TempDir(), "no-such-toolkits-dir") }, "SWITCHBOARD_TOOLKITS_DIR"},
		{"toolkits dir is a file", func(c *Config) { c.ToolkitsDir = "config.go" }, "is not a directory"},
		{"rate limit", func(c *Config) { c.RateLimit = "2000/1m" }, ""},
		{"rate limit without window", func(c *Config) { c.RateLimit = "2000" }, "SWITCHBOARD_RATE_LIMIT"},
		{"rate limit of zero", func(c *Config) { c.RateLimit = "0/1m" }, "SWITCHBOARD_RATE_LIMIT"},
		{"rate limit window too short", func(c *Config) { c.RateLimit = "10/10ms" }, "SWITCHBOARD_RATE_LIMIT"},
		{"user rate limit", func(c *Config) { c.RateLimitUser = "100/1m" }, ""},
		{"account rate limit", func(c *Config) { c.RateLimitAccount = "10/1s" }, ""},
		{"user rate limit without window", func(c *Config) { c.RateLimitUser = "100" }, "SWITCHBOARD_RATE_LIMIT_USER"},
		{"user rate limit of zero", func(c *Config) { c.RateLimitUser = "0/1m" }, "SWITCHBOARD_RATE_LIMIT_USER"},
		{"account rate limit window too long", func(c *Config) { c.RateLimitAccount = "5/48h" }, "SWITCHBOARD_RATE_LIMIT_ACCOUNT"},
		{"account rate limit not a number", func(c *Config) { c.RateLimitAccount = "many/1m" }, "SWITCHBOARD_RATE_LIMIT_ACCOUNT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			tt.edit(&c)
			err := c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("got %v, want no error", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("got %v, want an error mentioning %q", err, tt.want)
			}
		})
	}
}

// TestEgressAllowLoopback: off by default; SWITCHBOARD_EGRESS_ALLOW_LOOPBACK
// or the flag turns it on; a value that is not a boolean fails Validate
// instead of being ignored.
func TestEgressAllowLoopback(t *testing.T) {
	tests := []struct {
		env, flag string
		want      bool
		wantErr   bool
	}{
		{"", "", false, false},
		{"true", "", true, false},
		{"1", "", true, false},
		{"false", "", false, false},
		{"", "-egress-allow-loopback", true, false},
		{"true", "-egress-allow-loopback=false", false, false},
		{"yes", "", false, true},
	}
	for _, tt := range tests {
		c := Default()
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		c.Bind(fs, func(k string) string {
			if k == "SWITCHBOARD_EGRESS_ALLOW_LOOPBACK" {
				return tt.env
			}
			return ""
		})
		var args []string
		if tt.flag != "" {
			args = []string{tt.flag}
		}
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		if c.EgressAllowLoopback != tt.want {
			t.Errorf("env %q flag %q: got %v, want %v", tt.env, tt.flag, c.EgressAllowLoopback, tt.want)
		}
		err := c.Validate()
		if gotErr := err != nil; gotErr != tt.wantErr || (err != nil && !strings.Contains(err.Error(), "SWITCHBOARD_EGRESS_ALLOW_LOOPBACK")) {
			t.Errorf("env %q flag %q: Validate got %v, want error %v", tt.env, tt.flag, err, tt.wantErr)
		}
	}
}

func TestLogSettings(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string // a substring of Validate's error; "" for none
	}{
		{map[string]string{}, ""},
		{map[string]string{"SWITCHBOARD_LOG_RETENTION": "2160h"}, ""},
		{map[string]string{"SWITCHBOARD_LOG_RETENTION": "30d"}, `SWITCHBOARD_LOG_RETENTION "30d" is not a duration`},
		{map[string]string{"SWITCHBOARD_LOG_RETENTION": "10m"}, "out of range"},
		{map[string]string{"SWITCHBOARD_LOG_RETENTION": "9000h"}, "out of range"},
		{map[string]string{"SWITCHBOARD_EXECUTION_LOGS": "false"}, ""},
		{map[string]string{"SWITCHBOARD_EVENT_RETENTION": "2160h"}, ""},
		{map[string]string{"SWITCHBOARD_EVENT_RETENTION": "30d"}, `SWITCHBOARD_EVENT_RETENTION "30d" is not a duration`},
		{map[string]string{"SWITCHBOARD_EVENT_RETENTION": "24h"}, "SWITCHBOARD_EVENT_RETENTION 24h0m0s is out of range"},
		{map[string]string{"SWITCHBOARD_EVENT_RETENTION": "9000h"}, "SWITCHBOARD_EVENT_RETENTION 9000h0m0s is out of range"},
		{map[string]string{"SWITCHBOARD_WEBHOOK_POLL": "1h"}, ""},
		{map[string]string{"SWITCHBOARD_WEBHOOK_POLL": "10ms"}, "SWITCHBOARD_WEBHOOK_POLL 10ms is out of range"},
		{map[string]string{"SWITCHBOARD_WEBHOOK_POLL": "often"}, `SWITCHBOARD_WEBHOOK_POLL "often" is not a duration`},
		{map[string]string{"SWITCHBOARD_EXECUTION_LOGS": "sometimes"}, `SWITCHBOARD_EXECUTION_LOGS "sometimes" must be true or false`},
	}
	for _, tt := range tests {
		c := Default()
		c.Bind(flag.NewFlagSet("t", flag.ContinueOnError), func(k string) string { return tt.env[k] })
		err := c.Validate()
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("env %v: Validate() = %v, want %q", tt.env, err, tt.want)
		}
	}
	c := Default()
	if !c.ExecutionLogs || c.LogRetention != DefaultLogRetention {
		t.Errorf("Default: execution logs %v, retention %v; want on, %v", c.ExecutionLogs, c.LogRetention, DefaultLogRetention)
	}
	c.Bind(flag.NewFlagSet("t", flag.ContinueOnError), func(k string) string {
		return map[string]string{"SWITCHBOARD_EXECUTION_LOGS": "false", "SWITCHBOARD_LOG_RETENTION": "48h"}[k]
	})
	if c.ExecutionLogs || c.LogRetention != 48*time.Hour {
		t.Errorf("from the environment: execution logs %v, retention %v; want off, 48h", c.ExecutionLogs, c.LogRetention)
	}
}

// TestDurationEnv: a duration setting that does not parse fails Validate,
// naming the variable, instead of leaving the default in place unseen.
func TestDurationEnv(t *testing.T) {
	for _, env := range []string{"SWITCHBOARD_LINK_TTL", "SWITCHBOARD_CACHE_TTL"} {
		for _, tt := range []struct {
			value   string
			wantErr bool
		}{{"", false}, {"30s", false}, {"10", true}, {"ten minutes", true}} {
			c := Default()
			c.Bind(flag.NewFlagSet("t", flag.ContinueOnError), func(k string) string {
				if k == env {
					return tt.value
				}
				return ""
			})
			if env == "SWITCHBOARD_LINK_TTL" && tt.value == "30s" {
				tt.wantErr = true // parses, but is under the 1m minimum
			}
			err := c.Validate()
			if gotErr := err != nil; gotErr != tt.wantErr || (err != nil && !strings.Contains(err.Error(), env)) {
				t.Errorf("%s=%q: Validate got %v, want error %v", env, tt.value, err, tt.wantErr)
			}
		}
	}
}

// TestRateLimitEnv: the per-user and per-account budgets come from their
// variables, and a bad value stops the start naming the variable.
func TestRateLimitEnv(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"SWITCHBOARD_RATE_LIMIT_USER": "100/1m", "SWITCHBOARD_RATE_LIMIT_ACCOUNT": "20/10s"}, ""},
		{map[string]string{"SWITCHBOARD_RATE_LIMIT_USER": "100 per minute"}, "SWITCHBOARD_RATE_LIMIT_USER"},
		{map[string]string{"SWITCHBOARD_RATE_LIMIT_ACCOUNT": "-1/1m"}, "SWITCHBOARD_RATE_LIMIT_ACCOUNT"},
	} {
		c := Default()
		c.Bind(flag.NewFlagSet("t", flag.ContinueOnError), func(k string) string { return tc.env[k] })
		err := c.Validate()
		if tc.want == "" {
			n, w, _ := c.RateLimitUserParts()
			an, aw, _ := c.RateLimitAccountParts()
			if err != nil || n != 100 || w != time.Minute || an != 20 || aw != 10*time.Second {
				t.Errorf("%v: got %v, user %d/%v, account %d/%v", tc.env, err, n, w, an, aw)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want an error naming %s", tc.env, err, tc.want)
		}
	}
}
