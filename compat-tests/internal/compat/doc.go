// Package compat is shared by the client compatibility tests: it chooses
// the server a test talks to (tsgres, or PostgreSQL 15 with -pg) and holds
// the switch that keeps tests of unfinished engine features skipped.
//
// # Pending features
//
// A test that needs an engine feature calls Pending(t, "feature") first.
// Against tsgres it is skipped with "pending: feature" until the feature is
// listed in Enabled below, or when $TSGRES_COMPAT_ALL=1 is set (run every
// test to see what fails). Against PostgreSQL (-pg) nothing is skipped:
// that is how the tests themselves are verified.
package compat
