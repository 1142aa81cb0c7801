// Package postgrestest gives tests a private PostgreSQL database.
//
// URL returns the address of a fresh, empty database that is dropped when the
// test ends. The databases live on the server named by the environment
// variable SWITCHBOARD_TEST_DATABASE_URL when it is set (a postgres:// URL of
// a role allowed to create databases). Otherwise postgrestest starts one
// throwaway cluster per test binary from the PostgreSQL binaries installed on
// the machine (/usr/lib/postgresql/*/bin, or initdb and postgres on PATH),
// with durability turned off for speed, and stops it when the tests end. A
// test package that uses URL must therefore run its tests through Main:
//
//	func TestMain(m *testing.M) { postgrestest.Main(m) }
//
// When no server is configured and none can be started, URL skips the test,
// except under CI (the CI environment variable set to anything but "false"),
// where it fails it: a missing database must not turn into a green build.
package postgrestest
