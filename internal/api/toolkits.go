package api

import (
	"net/http"
	"slices"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
	"github.com/switchboard-dev/switchboard/wire"
)

func (s *Server) listToolkits(w http.ResponseWriter, r *http.Request, p store.Project) error {
	n, err := limit(r, 50, 1000)
	if err != nil {
		return err
	}
	category := r.URL.Query().Get("category")
	var items []wire.Toolkit
	for _, tk := range s.Catalog.For(r.Context(), p.ID).List() {
		if category != "" && !slices.ContainsFunc(tk.Categories, func(c toolkits.Category) bool { return strings.EqualFold(c.Slug, category) }) {
			continue
		}
		items = append(items, toolkitJSON(tk, false))
	}
	if items == nil {
		items = []wire.Toolkit{}
	}
	page, err := paginate(items, r.URL.Query().Get("cursor"), n)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (s *Server) getToolkit(w http.ResponseWriter, r *http.Request, p store.Project) error {
	tk, ok := s.Catalog.For(r.Context(), p.ID).Get(r.PathValue("slug"))
	if !ok {
		return problem.NotFoundf("toolkit_not_found", "toolkit %q not found", r.PathValue("slug")).
			WithFix("List the toolkits with GET /api/v3.1/toolkits")
	}
	writeJSON(w, http.StatusOK, toolkitJSON(tk, true))
	return nil
}

func (s *Server) listCategories(w http.ResponseWriter, r *http.Request, p store.Project) error {
	seen := map[string]bool{}
	items := []wire.Category{}
	for _, tk := range s.Catalog.For(r.Context(), p.ID).List() {
		for _, c := range tk.Categories {
			if !seen[c.Slug] {
				seen[c.Slug] = true
				items = append(items, wire.Category{ID: c.Slug, Slug: c.Slug, Name: c.Name})
			}
		}
	}
	writeJSON(w, http.StatusOK, listJSON(items, "", len(items), len(items)))
	return nil
}

// toolkitJSON shows a catalog toolkit; detail adds what retrieve returns
// beyond a list item.
func toolkitJSON(tk toolkits.Toolkit, detail bool) wire.Toolkit {
	out := wire.Toolkit{
		Slug: tk.Slug,
		Name: tk.Name,
		Type: "native",
		Meta: wire.ToolkitMeta{
			Description: tk.Description,
			Logo:        tk.Logo,
			Categories:  []wire.Category{},
			ToolsCount:  tk.ToolsCount,
			Version:     "latest",
		},
		AuthSchemes:                []string{},
		ComposioManagedAuthSchemes: []string{},
		Enabled:                    true,
		NoAuth:                     tk.NoAuth(),
	}
	for _, c := range tk.Categories {
		out.Meta.Categories = append(out.Meta.Categories, wire.Category{ID: c.Slug, Slug: c.Slug, Name: c.Name})
	}
	for _, sc := range tk.AuthSchemes {
		out.AuthSchemes = append(out.AuthSchemes, string(sc.Mode))
	}
	if !detail {
		return out
	}
	out.BaseURL = tk.BaseURL
	out.Meta.AvailableVersions = []string{"latest"}
	if tk.Identity != nil && tk.Identity.Source == toolkits.FromEndpoint {
		out.GetCurrentUserEndpoint = tk.Identity.URL
		out.GetCurrentUserEndpointMethod = tk.Identity.Method
	}
	for _, sc := range tk.AuthSchemes {
		if sc.Mode == toolkits.ModeNoAuth {
			continue // no auth config to create, no fields to ask for
		}
		d := wire.AuthConfigDetails{Name: string(sc.Mode), Mode: string(sc.Mode)}
		d.Fields.AuthConfigCreation = wire.FieldSet{Required: []wire.Field{}, Optional: []wire.Field{}}
		d.Fields.ConnectedAccountInitiation = wire.FieldSet{Required: []wire.Field{}, Optional: []wire.Field{}}
		if sc.ClientCredentials() {
			d.Fields.AuthConfigCreation.Optional = []wire.Field{
				{Name: "scopes", DisplayName: "Scopes", Description: "Scopes to request instead of the defaults: " + strings.Join(sc.OAuth2.DefaultScopes, " "), Type: "string"},
				{Name: "token_url", DisplayName: "Token URL", Description: "Override for self-hosted or regional providers", Type: "string", Default: sc.OAuth2.TokenURL},
			}
		}
		if sc.SignIn() {
			d.Fields.AuthConfigCreation.Required = []wire.Field{
				{Name: "client_id", DisplayName: "Client ID", Description: "The OAuth app's client id", Type: "string", Required: true},
				{Name: "client_secret", DisplayName: "Client secret", Description: "The OAuth app's client secret", Type: "string", Required: true, IsSecret: true},
			}
			d.Fields.AuthConfigCreation.Optional = []wire.Field{
				{Name: "scopes", DisplayName: "Scopes", Description: "Scopes to request instead of the defaults: " + strings.Join(sc.OAuth2.DefaultScopes, " "), Type: "string"},
				{Name: "authorization_url", DisplayName: "Authorization URL", Description: "Override for self-hosted or regional providers", Type: "string", Default: sc.OAuth2.AuthorizationURL},
				{Name: "token_url", DisplayName: "Token URL", Description: "Override for self-hosted or regional providers", Type: "string", Default: sc.OAuth2.TokenURL},
				{Name: "userinfo_url", DisplayName: "User info URL", Description: "Override of the identity endpoint", Type: "string"},
			}
		}
		for _, f := range sc.Fields {
			wf := wire.Field{Name: f.Name, DisplayName: f.DisplayName, Description: f.Description, Type: f.Type, Required: f.Required, IsSecret: f.Secret}
			if f.Required {
				d.Fields.ConnectedAccountInitiation.Required = append(d.Fields.ConnectedAccountInitiation.Required, wf)
			} else {
				d.Fields.ConnectedAccountInitiation.Optional = append(d.Fields.ConnectedAccountInitiation.Optional, wf)
			}
		}
		out.AuthConfigDetails = append(out.AuthConfigDetails, d)
	}
	return out
}
