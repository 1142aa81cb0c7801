package demo

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/switchboard-dev/switchboard/internal/ids"
	"github.com/switchboard-dev/switchboard/internal/oauthserver"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

//go:embed demo.json
var toolkitFile []byte

// Toolkit is the slug of the demo toolkit.
const Toolkit = "demo"

// ClientID is the OAuth client the demo registers for Switchboard.
const ClientID = "switchboard-demo"

// Identity is one of the made-up users of the demo provider.
type Identity struct{ Login, Email string }

// Identities are the users the consent page offers.
var Identities = []Identity{{"ada", "ada@demo.test"}, {"grace", "grace@demo.test"}}

// Definition parses the embedded toolkit file.
func Definition() (toolkits.Definition, error) {
	return toolkits.Parse("demo/demo.json", toolkitFile)
}

// Note is one note of the notes API.
type Note struct {
	ID    string `json:"id"`
	Text  string `json:"text"`
	Owner string `json:"owner"`
}

// Upstream is the demo's provider and notes API, served by Handler at URL.
type Upstream struct {
	// URL is where Handler is served, http://127.0.0.1:port.
	URL          string
	ClientSecret string
	provider     *oauthserver.Provider
	handler      http.Handler

	mu    sync.Mutex
	notes map[string][]Note // by subject
}

// New makes the upstream to be served at baseURL, with its OAuth client
// for Switchboard registered for redirectURI (Switchboard's public URL and
// /api/v3/toolkits/auth/callback) and the Identities as its users.
func New(baseURL, redirectURI string) (*Upstream, error) {
	u := &Upstream{
		URL:          strings.TrimSuffix(baseURL, "/"),
		ClientSecret: ids.New("demo_secret_", 32),
		notes:        map[string][]Note{},
	}
	u.provider = oauthserver.New(u.URL, oauthserver.WithIdentityPicker(), oauthserver.WithScopes("profile", "notes"))
	if err := u.provider.RegisterClient(ClientID, u.ClientSecret, redirectURI); err != nil {
		return nil, err
	}
	for _, id := range Identities {
		// No password: the picker signs in without one.
		if _, err := u.provider.AddUser(id.Login, "", id.Email); err != nil {
			return nil, err
		}
	}
	mux := http.NewServeMux()
	mux.Handle("/", u.provider.Handler())
	mux.Handle("GET /api/me", u.provider.Protect(u.me))
	mux.Handle("GET /api/notes", u.provider.Protect(u.listNotes))
	mux.Handle("POST /api/notes", u.provider.Protect(u.createNote))
	u.handler = mux
	return u, nil
}

// Handler serves the provider (oauthserver's paths) and the notes API
// under /api.
func (u *Upstream) Handler() http.Handler { return u.handler }

// AuthConfigCredentials are the credentials of the demo's auth config:
// its OAuth client, and the toolkit file's endpoints moved to URL.
func (u *Upstream) AuthConfigCredentials() map[string]any {
	return map[string]any{
		"client_id":         ClientID,
		"client_secret":     u.ClientSecret,
		"base_url":          u.URL + "/api",
		"authorization_url": u.URL + oauthserver.AuthorizePath,
		"token_url":         u.URL + oauthserver.TokenPath,
		"userinfo_url":      u.URL + oauthserver.UserinfoPath,
	}
}

func (u *Upstream) me(w http.ResponseWriter, _ *http.Request, who oauthserver.User) {
	writeJSON(w, http.StatusOK, map[string]string{"sub": who.Subject, "email": who.Email, "name": who.Name})
}

func (u *Upstream) listNotes(w http.ResponseWriter, _ *http.Request, who oauthserver.User) {
	u.mu.Lock()
	notes := append([]Note{}, u.notes[who.Subject]...)
	u.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"owner": who.Email, "notes": notes})
}

// maxNotes bounds one account's notes, so the demo cannot be made to hold
// unbounded memory.
const maxNotes = 1000

func (u *Upstream) createNote(w http.ResponseWriter, r *http.Request, who oauthserver.User) {
	var in struct {
		Text string `json:"text"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&in); err != nil || in.Text == "" || len(in.Text) > 4000 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "send {\"text\": \"...\"} with a non-empty text"})
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.notes[who.Subject]) >= maxNotes {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("an account holds at most %d notes", maxNotes)})
		return
	}
	n := Note{ID: "note_" + strconv.Itoa(len(u.notes[who.Subject])+1), Text: in.Text, Owner: who.Email}
	u.notes[who.Subject] = append(u.notes[who.Subject], n)
	writeJSON(w, http.StatusCreated, n)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
