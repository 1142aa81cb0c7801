package main

import (
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"time"
)

// githubUser is the body the fake upstream answers GET /user with: the
// "private user" example of GET /user in GitHub's REST API description
// (github/rest-api-description, descriptions/api.github.com, the
// components/examples entry private-user-response-with-public-and-private-profile-information,
// as internal/toolkits/openapi/testdata/github.json holds it).
//
//go:embed github_user.json
var githubUser []byte

// The separate processes of the execute benchmark are this program run
// again with one of these hidden commands; each prints the URL it serves
// on its first line of standard output and serves until killed.
const (
	cmdUpstream = "upstream"
	cmdHop      = "hop"
)

// serveUpstream is the fake provider: GET /user answers githubUser to a
// request bearing the token, after the delay.
func serveUpstream(args []string) error {
	fs := flag.NewFlagSet(cmdUpstream, flag.ContinueOnError)
	token := fs.String("token", "", "the bearer token to require")
	delay := fs.Duration("delay", 0, "how long to take to answer")
	if err := fs.Parse(args); err != nil {
		return err
	}
	want := "Bearer " + *token
	return serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if *delay > 0 {
			time.Sleep(*delay)
		}
		if r.URL.Path != "/user" || r.Method != http.MethodGet {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("Authorization") != want {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"message":"Bad credentials"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write(githubUser)
	}))
}

// serveHop is the bare hop: an httputil.ReverseProxy to the target that
// only adds the credential, the least a forwarding router must do.
func serveHop(args []string) error {
	fs := flag.NewFlagSet(cmdHop, flag.ContinueOnError)
	target := fs.String("target", "", "the upstream URL")
	token := fs.String("token", "", "the bearer token to add")
	if err := fs.Parse(args); err != nil {
		return err
	}
	u, err := url.Parse(*target)
	if err != nil || u.Host == "" {
		return errors.New("hop: -target must be an absolute URL")
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.Transport = &http.Transport{MaxIdleConnsPerHost: 64}
	auth := "Bearer " + *token
	return serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Set("Authorization", auth)
		rp.ServeHTTP(w, r)
	}))
}

// serve serves h on a free port of 127.0.0.1 and prints its URL.
func serve(h http.Handler) error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stdout, "http://%s\n", l.Addr())
	return http.Serve(l, h)
}
