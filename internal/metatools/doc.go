// Package metatools runs Composio's meta tools for a Tool Router session:
// COMPOSIO_SEARCH_TOOLS, COMPOSIO_GET_TOOL_SCHEMAS,
// COMPOSIO_MANAGE_CONNECTIONS, COMPOSIO_WAIT_FOR_CONNECTIONS and
// COMPOSIO_MULTI_EXECUTE_TOOL.
//
// It owns what a meta tool does: reading and checking its arguments,
// running the domain calls (execute.Service Search, Status and Execute;
// sessions.Service Connect, Authorize and WaitForConnection) and building
// its result. The surfaces only translate: the REST session execute and
// execute_meta endpoints and the MCP server both call Service.Run and
// render its Result as their wire needs.
//
// A session runs only the meta tools it exposes (sessions.Config.MetaTools);
// asking for another is a tool error that says so.
//
// # Results
//
// A Result's data is a JSON object; its summary is one paragraph about it
// for a model that reads only text. A tool that fails (bad arguments, a
// toolkit that is not connected, every call of a multi-execute failing)
// returns a Result with Error set, with the message REST gives, not a Go
// error: the agent reads it and can act on it. Go errors are for requests
// that are wrong as a whole, such as a slug that names no meta tool.
//
// A multi-execute takes at most MaxCalls calls and returns at most
// MaxAnswer bytes of results; a result that does not fit is dropped with
// an error saying so, and what it keeps counts against the process's
// execute.Memory budget until its answer is built.
//
// The goroutines a meta tool starts (the calls of a multi-execute, the
// toolkits of a wait) recover their own panics as internal errors, since
// no surface can recover them; a panic in Run itself is the surface's to
// recover.
package metatools
