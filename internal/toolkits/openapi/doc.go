// Package openapi imports an OpenAPI 3.0 or 3.1 document, or a Swagger 2.0
// one, as a toolkit file: the toolkit definition (base URL, auth schemes)
// and one tool per selected operation, with the input schema built from the
// operation's parameters and request body and a request mapping that
// toolkits.Tool.BuildRequest turns into the upstream call.
//
// Documents are parsed and their $refs resolved by kin-openapi (openapi3;
// openapi2 and openapi2conv for Swagger 2.0). The mapping is the package's
// own: the catalog's schema subset is smaller than JSON Schema, so Import
// simplifies what the catalog cannot express (allOf is merged, oneOf and
// anyOf are merged or narrowed to one alternative, unknown keywords are
// dropped) and skips an operation it cannot express at all; the Report says
// which, and why. Every File that Import returns has passed the catalog's
// strict validation (Check). docs/openapi-import.md describes the rules.
package openapi
