package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-dev/switchboard/internal/reqlog"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
	"github.com/switchboard-dev/switchboard/wire"
)

// OpenAPIPath is where each API prefix serves the OpenAPI 3.1 document of
// the API, without a key: /api/v3.1/openapi.json.
const OpenAPIPath = "/openapi.json"

// operation documents one route of the route table (routes): its
// operationId, a summary, the status of success, the wire types of its
// request and response bodies (a zero value, or nil for none) and its
// query parameters. Path parameters come from the pattern. Every
// operation also answers errors as a wire.ErrorBody.
type operation struct {
	id       string
	summary  string
	status   int
	request  any
	response any
	query    []param
}

// param is one query parameter: its name, JSON Schema type and meaning.
type param struct {
	name, typ, doc string
}

// Query parameters several lists share.
var (
	pLimit  = param{"limit", "integer", "Page size."}
	pCursor = param{"cursor", "string", "The next_cursor of the previous page."}
	pSearch = param{"search", "string", "Text to search for."}
)

// operations documents the routes, keyed by their route-table pattern. A
// route without an entry here fails TestOpenAPICoversRoutes.
var operations = map[string]operation{
	"POST /tool_router/session":                                        {id: "createSession", summary: "Create a session for a user", status: 201, request: wire.SessionCreateRequest{}, response: wire.Session{}},
	"GET /tool_router/session/{id}":                                    {id: "getSession", summary: "Get a session", status: 200, response: wire.Session{}},
	"PATCH /tool_router/session/{id}":                                  {id: "updateSession", summary: "Update a session's configuration", status: 200, request: wire.SessionUpdateRequest{}, response: wire.Session{}},
	"DELETE /tool_router/session/{id}":                                 {id: "deleteSession", summary: "Delete a session", status: 200, response: wire.SessionDeleted{}},
	"POST /tool_router/session/{id}/link":                              {id: "createSessionLink", summary: "Start a connect link for a toolkit of the session", status: 201, request: wire.SessionLinkRequest{}, response: wire.LinkResponse{}},
	"GET /tool_router/session/{id}/toolkits":                           {id: "listSessionToolkits", summary: "List the session's toolkits and their connection state", status: 200, response: wire.ListResponse[wire.SessionToolkit]{}, query: []param{pLimit, pCursor, pSearch, {"toolkits", "string", "Comma-separated toolkit slugs."}, {"is_connected", "boolean", "Only connected (true) or unconnected (false) toolkits."}}},
	"GET /tool_router/session/{id}/tools":                              {id: "listSessionTools", summary: "List the session's tools", status: 200, response: wire.ListResponse[wire.Tool]{}, query: []param{pLimit, pCursor}},
	"POST /tool_router/session/{id}/search":                            {id: "searchSessionTools", summary: "Search the session's tools", status: 200, request: wire.SearchRequest{}, response: wire.SearchResponse{}},
	"POST /tool_router/session/{id}/execute":                           {id: "executeSessionTool", summary: "Execute a tool (or meta tool) in the session", status: 200, request: wire.SessionExecuteRequest{}, response: wire.SessionExecuteResponse{}},
	"POST /tool_router/session/{id}/execute_meta":                      {id: "executeSessionMetaTool", summary: "Execute a meta tool in the session", status: 200, request: wire.SessionExecuteMetaRequest{}, response: wire.SessionExecuteResponse{}},
	"POST /tool_router/session/{id}/proxy_execute":                     {id: "proxyExecuteSession", summary: "Send an authenticated request to a toolkit's API for the session's user", status: 200, request: wire.ProxyRequest{}, response: wire.ProxyResponse{}},
	"POST /connected_accounts/link":                                    {id: "createConnectedAccountLink", summary: "Start a connect link for a user and an auth config", status: 201, request: wire.ConnectedAccountLinkRequest{}, response: wire.LinkResponse{}},
	"POST /connected_accounts":                                         {id: "createConnectedAccount", summary: "Create (initiate) a connected account", status: 201, request: wire.ConnectedAccountCreateRequest{}, response: wire.ConnectedAccountCreateResponse{}},
	"GET /connected_accounts":                                          {id: "listConnectedAccounts", summary: "List connected accounts", status: 200, response: wire.ListResponse[wire.ConnectedAccount]{}, query: []param{pLimit, pCursor, {"connected_account_ids", "string", "Comma-separated account ids."}, {"user_ids", "string", "Comma-separated user ids."}, {"toolkit_slugs", "string", "Comma-separated toolkit slugs."}, {"auth_config_ids", "string", "Comma-separated auth config ids."}, {"statuses", "string", "Comma-separated statuses."}, {"order_by", "string", "created_at or updated_at."}, {"order_direction", "string", "asc or desc."}, {"account_type", "string", "The account type to list."}}},
	"GET /connected_accounts/{id}":                                     {id: "getConnectedAccount", summary: "Get a connected account", status: 200, response: wire.ConnectedAccount{}},
	"PATCH /connected_accounts/{id}":                                   {id: "updateConnectedAccount", summary: "Rename or update a connected account", status: 200, request: wire.ConnectedAccountUpdateRequest{}, response: wire.ConnectedAccountUpdateResponse{}},
	"DELETE /connected_accounts/{id}":                                  {id: "deleteConnectedAccount", summary: "Delete a connected account", status: 200, response: wire.Success{}},
	"PATCH /connected_accounts/{id}/status":                            {id: "updateConnectedAccountStatus", summary: "Enable or disable a connected account", status: 200, request: wire.StatusRequest{}, response: wire.Success{}},
	"POST /connected_accounts/{id}/refresh":                            {id: "refreshConnectedAccount", summary: "Refresh a connected account's token, or start its re-authorization", status: 200, response: wire.RefreshResponse{}, query: []param{{"redirect_url", "string", "Where the re-authorization link returns the user."}}},
	"PATCH /connected_accounts/{id}/default":                           {id: "setConnectedAccountDefault", summary: "Make an account the user's default for its toolkit (Switchboard's own)", status: 200, request: wire.ConnectedAccountDefaultRequest{}, response: wire.ConnectedAccount{}},
	"POST /auth_configs":                                               {id: "createAuthConfig", summary: "Create an auth config", status: 201, request: wire.AuthConfigCreateRequest{}, response: wire.AuthConfigCreateResponse{}},
	"GET /auth_configs":                                                {id: "listAuthConfigs", summary: "List auth configs", status: 200, response: wire.ListResponse[wire.AuthConfig]{}, query: []param{pLimit, pCursor, pSearch, {"toolkit_slug", "string", "Comma-separated toolkit slugs."}, {"show_disabled", "boolean", "Include disabled auth configs."}, {"is_composio_managed", "boolean", "Only managed (true) or custom (false) auth configs."}}},
	"GET /auth_configs/{id}":                                           {id: "getAuthConfig", summary: "Get an auth config", status: 200, response: wire.AuthConfig{}},
	"PATCH /auth_configs/{id}":                                         {id: "updateAuthConfig", summary: "Update an auth config", status: 200, request: wire.AuthConfigUpdateRequest{}, response: wire.AuthConfig{}},
	"DELETE /auth_configs/{id}":                                        {id: "deleteAuthConfig", summary: "Delete an auth config", status: 200, response: wire.Success{}},
	"PATCH /auth_configs/{id}/{status}":                                {id: "updateAuthConfigStatus", summary: "Enable or disable an auth config (status is ENABLED or DISABLED)", status: 200, response: wire.Success{}},
	"POST /api_keys":                                                   {id: "createAPIKey", summary: "Create a project API key (Switchboard's own)", status: 201, request: wire.APIKeyCreateRequest{}, response: wire.APIKey{}},
	"GET /api_keys":                                                    {id: "listAPIKeys", summary: "List the project's API keys (Switchboard's own)", status: 200, response: wire.APIKeyList{}},
	"DELETE /api_keys/{id}":                                            {id: "revokeAPIKey", summary: "Revoke an API key (Switchboard's own)", status: 200, response: wire.Success{}},
	"POST /custom_toolkits":                                            {id: "createCustomToolkit", summary: "Add a custom toolkit from a toolkit file (JSON or YAML)", status: 201, request: toolkitDocumentBody{}, response: wire.CustomToolkit{}},
	"GET /custom_toolkits":                                             {id: "listCustomToolkits", summary: "List the project's custom toolkits", status: 200, response: wire.CustomToolkitList{}},
	"GET /custom_toolkits/{slug}":                                      {id: "getCustomToolkit", summary: "Get a custom toolkit", status: 200, response: wire.CustomToolkit{}},
	"PUT /custom_toolkits/{slug}":                                      {id: "replaceCustomToolkit", summary: "Replace a custom toolkit's file", status: 200, request: toolkitDocumentBody{}, response: wire.CustomToolkit{}},
	"DELETE /custom_toolkits/{slug}":                                   {id: "deleteCustomToolkit", summary: "Delete a custom toolkit", status: 200, response: struct{}{}},
	"POST /custom/toolkits/sync":                                       {id: "syncCustomToolkit", summary: "List an MCP toolkit's tools on its server again and store them (Composio's sync)", status: 200, request: wire.CustomToolkitSyncRequest{}, response: wire.CustomToolkitSync{}},
	"POST /webhook_subscriptions":                                      {id: "createWebhookSubscription", summary: "Create a webhook subscription; the answer carries its signing secret", status: 201, request: wire.WebhookSubscriptionRequest{}, response: wire.WebhookSubscription{}},
	"GET /webhook_subscriptions":                                       {id: "listWebhookSubscriptions", summary: "List the project's webhook subscriptions", status: 200, response: wire.ListResponse[wire.WebhookSubscription]{}, query: []param{pLimit, pCursor}},
	"GET /webhook_subscriptions/event_types":                           {id: "listWebhookEventTypes", summary: "List the event types a subscription can receive", status: 200, response: wire.WebhookEventTypes{}},
	"GET /webhook_subscriptions/{id}":                                  {id: "getWebhookSubscription", summary: "Get a webhook subscription (its secret masked)", status: 200, response: wire.WebhookSubscription{}},
	"PATCH /webhook_subscriptions/{id}":                                {id: "updateWebhookSubscription", summary: "Update a webhook subscription", status: 200, request: wire.WebhookSubscriptionRequest{}, response: wire.WebhookSubscription{}},
	"DELETE /webhook_subscriptions/{id}":                               {id: "deleteWebhookSubscription", summary: "Delete a webhook subscription", status: 200, response: wire.Success{}},
	"POST /webhook_subscriptions/{id}/rotate_secret":                   {id: "rotateWebhookSecret", summary: "Rotate a subscription's signing secret; the old one signs too for the overlap", status: 200, response: wire.WebhookSecret{}},
	"GET /webhook_subscriptions/{id}/deliveries":                       {id: "listWebhookDeliveries", summary: "List a subscription's deliveries, newest first (Switchboard's own)", status: 200, response: wire.WebhookDeliveryList{}, query: []param{pLimit}},
	"GET /webhook_subscriptions/{id}/deliveries/{delivery_id}":         {id: "getWebhookDelivery", summary: "Get a delivery with its attempts (Switchboard's own)", status: 200, response: wire.WebhookDelivery{}},
	"POST /webhook_subscriptions/{id}/deliveries/{delivery_id}/replay": {id: "replayWebhookDelivery", summary: "Send a delivery's event again (Switchboard's own)", status: 201, response: wire.WebhookDelivery{}},
	"POST /logs/tool_execution":                                        {id: "searchToolExecutionLogs", summary: "Search the execution logs", status: 200, request: wire.LogSearchRequest{}, response: wire.LogSearchResponse{}},
	"GET /logs/tool_execution/{id}":                                    {id: "getToolExecutionLog", summary: "Get one execution log", status: 200, response: wire.LogDetail{}},
	"GET /audit_log":                                                   {id: "listAuditLog", summary: "List the project's audit log (Switchboard's own)", status: 200, response: wire.AuditList{}, query: []param{pLimit, pCursor, {"action", "string", "Comma-separated actions."}, {"target_type", "string", "Comma-separated target types."}, {"target_id", "string", "Comma-separated target ids."}, {"key_id", "string", "Comma-separated API key ids."}, {"from", "string", "RFC 3339 time: entries at or after it."}, {"to", "string", "RFC 3339 time: entries before it."}}},
	"GET /toolkits":                                                    {id: "listToolkits", summary: "List toolkits", status: 200, response: wire.ListResponse[wire.Toolkit]{}, query: []param{pLimit, pCursor, {"category", "string", "A category slug."}}},
	"GET /toolkits/categories":                                         {id: "listToolkitCategories", summary: "List toolkit categories", status: 200, response: wire.ListResponse[wire.Category]{}},
	"GET /toolkits/{slug}":                                             {id: "getToolkit", summary: "Get a toolkit", status: 200, response: wire.Toolkit{}},
	"GET /tools":                                                       {id: "listTools", summary: "List tools", status: 200, response: wire.ListResponse[wire.Tool]{}, query: []param{pLimit, pCursor, pSearch, {"toolkit_slug", "string", "Comma-separated toolkit slugs."}, {"tool_slugs", "string", "Comma-separated tool slugs."}, {"tags", "string", "Comma-separated tags."}}},
	"GET /tools/{slug}":                                                {id: "getTool", summary: "Get a tool", status: 200, response: wire.Tool{}},
	"POST /tools/execute/proxy":                                        {id: "proxyExecute", summary: "Send an authenticated request to a toolkit's API", status: 200, request: wire.ProxyRequest{}, response: wire.ProxyResponse{}},
	"POST /tools/execute/{slug}":                                       {id: "executeTool", summary: "Execute a tool for a user or account", status: 200, request: wire.ToolExecuteRequest{}, response: wire.ToolExecuteResponse{}},
}

// toolkitDocumentBody stands for a toolkit file in a request body: any
// JSON object, checked by the toolkit format (docs/toolkit-format.md).
type toolkitDocumentBody map[string]any

// OpenAPI is the API's OpenAPI 3.1 document, as served and as committed
// in docs/openapi.json.
var OpenAPI = sync.OnceValue(func() []byte {
	b, err := buildOpenAPI()
	if err != nil {
		panic(err)
	}
	return b
})

// openAPI serves OpenAPI at OpenAPIPath. Like the toolkit schema it is
// public: it describes the API, not any project.
func (s *Server) openAPI() http.Handler {
	failed := func(w http.ResponseWriter, r *http.Request) { writeError(w, r, s.Logger, errors.New("panic")) }
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		reqlog.Serve(s.Logger, rw, r, failed, func(w http.ResponseWriter, r *http.Request) {
			body := OpenAPI()
			h := w.Header()
			h.Set("Content-Type", "application/json")
			h.Set("Content-Length", strconv.Itoa(len(body)))
			h.Set("Cache-Control", "public, max-age=300")
			w.WriteHeader(http.StatusOK)
			if r.Method != http.MethodHead {
				w.Write(body)
			}
		})
	})
}

// obj is a JSON object of the document; encoding/json sorts its keys, so
// the document is the same bytes on every build.
type obj = map[string]any

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

func buildOpenAPI() ([]byte, error) {
	g := &schemaGen{defs: obj{}, names: map[reflect.Type]string{}}
	errBody := obj{"description": "An error: the status, a machine-readable slug and a message.",
		"content": obj{"application/json": obj{"schema": g.ref(reflect.TypeFor[wire.ErrorBody]())}}}
	paths := obj{}
	for _, pattern := range sortedKeys(operations) {
		op := operations[pattern]
		method, path, _ := strings.Cut(pattern, " ")
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
			params = append(params, obj{"name": m[1], "in": "path", "required": true, "schema": obj{"type": "string"}})
		}
		for _, q := range op.query {
			params = append(params, obj{"name": q.name, "in": "query", "description": q.doc, "schema": obj{"type": q.typ}})
		}
		o := obj{"operationId": op.id, "summary": op.summary, "responses": obj{
			strconv.Itoa(op.status): obj{"description": http.StatusText(op.status),
				"content": obj{"application/json": obj{"schema": g.ref(reflect.TypeOf(op.response))}}},
			"400": errBody, "401": errBody, "403": errBody, "404": errBody, "default": errBody,
		}}
		if params != nil {
			o["parameters"] = params
		}
		if op.request != nil {
			content := obj{"application/json": obj{"schema": g.ref(reflect.TypeOf(op.request))}}
			if _, ok := op.request.(toolkitDocumentBody); ok {
				content["application/yaml"] = obj{"schema": obj{"type": "string"}}
			}
			o["requestBody"] = obj{"required": false, "content": content}
		}
		for _, prefix := range []string{"/api/v3.1"} {
			item, _ := paths[prefix+path].(obj)
			if item == nil {
				item = obj{}
				paths[prefix+path] = item
			}
			item[strings.ToLower(method)] = o
		}
	}
	public := func(id, summary, ctype string) obj {
		return obj{"get": obj{"operationId": id, "summary": summary, "security": []any{}, "responses": obj{
			"200": obj{"description": "OK", "content": obj{ctype: obj{"schema": obj{"type": "object"}}}}}}}
	}
	paths["/api/v3.1"+OpenAPIPath] = public("getOpenAPIDocument", "This document (no key needed)", "application/json")
	paths[toolkits.SchemaPath] = public("getToolkitSchema", "The toolkit format's JSON Schema (no key needed)", "application/schema+json")
	doc := obj{
		"openapi": "3.1.0",
		"info": obj{"title": "Switchboard API", "version": "3.1",
			"description": "Switchboard's REST API, wire-compatible with the Composio v3.1 API for what it implements. Every route is also served under /api/v3."},
		"servers":    []any{obj{"url": "/"}},
		"security":   []any{obj{"apiKey": []any{}}},
		"paths":      paths,
		"components": obj{"schemas": g.defs, "securitySchemes": obj{"apiKey": obj{"type": "apiKey", "in": "header", "name": "x-api-key"}}},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// schemaGen makes JSON Schemas (2020-12, as OpenAPI 3.1 has them) of wire
// types by reflection, as encoding/json would encode them: a struct is an
// object whose fields without omitempty are required, a pointer, slice or
// map without omitempty may be null, json.RawMessage, interfaces and
// types with their own JSON (un)marshaling are any value. Named structs
// become components.
type schemaGen struct {
	defs  obj
	names map[reflect.Type]string
}

var (
	rawMessage  = reflect.TypeFor[json.RawMessage]()
	timeType    = reflect.TypeFor[time.Time]()
	marshaler   = reflect.TypeFor[json.Marshaler]()
	unmarshaler = reflect.TypeFor[json.Unmarshaler]()
	genericName = regexp.MustCompile(`[^A-Za-z0-9]+`)
)

// ref is the schema of t, a $ref for a named struct.
func (g *schemaGen) ref(t reflect.Type) obj {
	if t.Kind() == reflect.Struct && t.Name() != "" && t != timeType && !custom(t) {
		name, ok := g.names[t]
		if !ok {
			name = componentName(t)
			g.names[t] = name
			g.defs[name] = nil // reserved: a recursive type refers to itself
			g.defs[name] = g.object(t)
		}
		return obj{"$ref": "#/components/schemas/" + name}
	}
	return g.schema(t)
}

// componentName is t's name, with a generic's type argument spelled in:
// ListResponse[wire.Tool] is ListResponse_Tool.
func componentName(t reflect.Type) string {
	name := t.Name()
	if i := strings.IndexByte(name, '['); i >= 0 {
		arg := name[i+1 : len(name)-1]
		if j := strings.LastIndexByte(arg, '.'); j >= 0 {
			arg = arg[j+1:]
		}
		name = name[:i] + "_" + genericName.ReplaceAllString(arg, "")
	}
	return name
}

func custom(t reflect.Type) bool {
	return t.Implements(marshaler) || reflect.PointerTo(t).Implements(unmarshaler) || t == rawMessage
}

// anyValue is the schema of any JSON value, null included (kin-openapi
// reads a bare {} as not nullable).
func anyValue() obj {
	return obj{"type": []any{"array", "boolean", "null", "number", "object", "string"}}
}

func (g *schemaGen) schema(t reflect.Type) obj {
	if t == timeType {
		return obj{"type": "string", "format": "date-time"}
	}
	if custom(t) {
		return anyValue()
	}
	switch t.Kind() {
	case reflect.Pointer:
		return g.schema(t.Elem())
	case reflect.Interface:
		return anyValue()
	case reflect.Bool:
		return obj{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return obj{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return obj{"type": "number"}
	case reflect.String:
		return obj{"type": "string"}
	case reflect.Slice, reflect.Array:
		return obj{"type": "array", "items": g.ref(t.Elem())}
	case reflect.Map:
		return obj{"type": "object", "additionalProperties": g.ref(t.Elem())}
	case reflect.Struct:
		if t.Name() != "" {
			return g.ref(t)
		}
		return g.object(t)
	}
	panic(fmt.Sprintf("openapi: no JSON Schema for %s", t))
}

// typeList is the type list of an anyValue schema.
func typeList(s obj) []any {
	l, _ := s["type"].([]any)
	return l
}

// object is the schema of a struct, with its embedded structs' fields.
func (g *schemaGen) object(t reflect.Type) obj {
	props := obj{}
	var required []string
	g.fields(t, props, &required)
	o := obj{"type": "object", "properties": props}
	if len(required) > 0 {
		slices.Sort(required)
		o["required"] = required
	}
	return o
}

func (g *schemaGen) fields(t reflect.Type, props obj, required *[]string) {
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			g.fields(f.Type, props, required)
			continue
		}
		if name == "" {
			name = f.Name
		}
		s := g.ref(f.Type)
		omitempty := slices.Contains(strings.Split(opts, ","), "omitempty") || slices.Contains(strings.Split(opts, ","), "omitzero")
		switch f.Type.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
			if !omitempty && !slices.Contains(typeList(s), "null") {
				s = obj{"anyOf": []any{s, obj{"type": "null"}}}
			}
		}
		if !omitempty {
			*required = append(*required, name)
		}
		props[name] = s
	}
}
