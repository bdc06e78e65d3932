// Package sql turns statements into results. It is the engine behind the
// wire server: the server (package server) speaks the PostgreSQL protocol
// and talks to the engine only through the Engine and Session interfaces
// declared here, so the wire layer can be tested with a fake engine and the
// engine without a socket.
package sql
