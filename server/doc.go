// Package server speaks the PostgreSQL frontend/backend protocol (version
// 3.0) on top of an sql.Engine. It is the only package that knows the wire
// format (github.com/jackc/pgx/v5/pgproto3); nothing of pgproto3 appears in
// its exported API.
//
// # Connection lifecycle
//
// Every accepted connection runs in its own goroutine:
//
//  1. Startup. SSLRequest and GSSENCRequest are answered with 'N' and the
//     client continues in plain text. A CancelRequest on a fresh connection
//     cancels the running statement of the live connection whose process id
//     and secret key it names, and the connection closes without an answer.
//     A StartupMessage with protocol 3.x starts a session; for a minor
//     version above 0 the server answers NegotiateProtocolVersion and speaks
//     3.0, as PostgreSQL does.
//  2. Authentication: "trust" (AuthenticationOk at once) or SCRAM-SHA-256
//     against the verifier the engine stores for the role (auth.go; the
//     verifier format is package server/scram).
//  3. Session start: Engine.NewSession, then ParameterStatus for every
//     reported parameter, BackendKeyData and ReadyForQuery.
//  4. The message loop: simple Query, the extended protocol (Parse, Bind,
//     Describe, Execute, Close, Sync, Flush), COPY sub-protocols, Terminate.
//
// # Invariants
//
//   - Only the connection's goroutine writes to its socket. Output is
//     buffered and flushed at ReadyForQuery, Flush, before blocking for COPY
//     data, and whenever the buffer passes flushThreshold, so large results
//     stream without being held in memory.
//   - Every statement (Query, Execute, Sync) runs under a context derived
//     from the connection's; a matching CancelRequest, the client going
//     away, or Shutdown cancels it and the engine reports 57014.
//   - Only the connection's goroutine reads its socket. While a statement
//     runs, a timer peeks at the socket every 250 ms (alive.go) so a client
//     that disconnects is noticed and its statement cancelled; Shutdown
//     interrupts a read in progress with a past read deadline.
//   - After an error in an extended-protocol message the connection ignores
//     everything up to the next Sync, as PostgreSQL does.
//   - A panic while handling a message is recovered, logged with its stack,
//     and reported to the client as XX000; it never ends the process.
//   - Malformed input (bad lengths, unknown message types, garbage) ends the
//     connection with FATAL 08P01; it never panics.
package server
