// Package pgerr is the error type that carries a PostgreSQL SQLSTATE from the
// place an error is born to the wire. It imports nothing of tsgres.
//
// An error that reaches the wire without a code is sent as XX000
// (internal_error) and logged as a bug, so every error a client can provoke
// must be created here with the code PostgreSQL uses for the same problem.
package pgerr
