package catalog

import (
	"errors"
	"testing"
	"time"

	"github.com/tsgres/tsgres/sql/pgerr"
)

// TestWritersMerge runs two writers at once: each publishes onto the
// catalog the other left, so neither loses the other's change.
func TestWritersMerge(t *testing.T) {
	e := newEnv(t)
	pg := e.dbOID(DefaultDatabase)
	ta, tb := e.db.Begin(), e.db.Begin()
	wa, wb := e.cat.BeginDDL(ta), e.cat.BeginDDL(tb)
	must(t, wa.CreateTable(plainTable(pg, SchemaPublic, "a")))
	must(t, wb.CreateTable(plainTable(pg, SchemaPublic, "b")))
	must(t, wb.CreateRole(&Role{Name: "rb"}))
	if wa.Snapshot().Table(pg, SchemaPublic, "b") != nil {
		t.Fatal("a writer sees another's uncommitted table")
	}
	for _, x := range []struct {
		txn interface{ Commit() error }
		w   *Writer
	}{{ta, wa}, {tb, wb}} {
		if err := x.txn.Commit(); err != nil {
			t.Fatal(err)
		}
		x.w.Publish()
	}
	for _, round := range []string{"published", "reopened"} {
		s := e.cat.Snapshot()
		if s.Table(pg, SchemaPublic, "a") == nil || s.Table(pg, SchemaPublic, "b") == nil || s.Role("rb") == nil {
			t.Fatalf("%s: a change of one writer was lost", round)
		}
		e.reopen()
	}
}

// TestWritersSameName: the second writer creating a relation name waits
// for the first and, once it commits, fails with 42P07; in a savepoint
// rolled back, a writer keeps its earlier changes on the new catalog.
func TestWritersSameName(t *testing.T) {
	e := newEnv(t)
	pg := e.dbOID(DefaultDatabase)
	ta, tb := e.db.Begin(), e.db.Begin()
	wa, wb := e.cat.BeginDDL(ta), e.cat.BeginDDL(tb)
	must(t, wb.CreateTable(plainTable(pg, SchemaPublic, "early")))
	mark := wb.Savepoint()
	sp := tb.Savepoint()
	must(t, wa.CreateTable(plainTable(pg, SchemaPublic, "x")))
	got := make(chan error, 1)
	go func() { got <- wb.CreateTable(plainTable(pg, SchemaPublic, "x")) }()
	select {
	case err := <-got:
		t.Fatalf("second CREATE did not wait: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	if err := ta.Commit(); err != nil {
		t.Fatal(err)
	}
	wa.Publish()
	var pe *pgerr.Error
	if err := <-got; !errors.As(err, &pe) || pe.Code != pgerr.DuplicateTable {
		t.Fatalf("second CREATE: %v", err)
	}
	tb.RollbackTo(sp)
	wb.Restore(mark)
	if s := wb.Snapshot(); s.Table(pg, SchemaPublic, "early") == nil || s.Table(pg, SchemaPublic, "x") == nil {
		t.Fatal("after the wait and ROLLBACK TO, the writer lost its own or the other's table")
	}
	if err := tb.Commit(); err != nil {
		t.Fatal(err)
	}
	wb.Publish()
	if s := e.cat.Snapshot(); s.Table(pg, SchemaPublic, "early") == nil || s.Table(pg, SchemaPublic, "x") == nil {
		t.Fatal("published catalog lacks a table")
	}
}

// TestWriterPutTableWaits: a writer changing a table another writer
// holds waits, and then fails with 40001 rather than overwrite it.
func TestWriterPutTableWaits(t *testing.T) {
	e := newEnv(t)
	pg := e.dbOID(DefaultDatabase)
	e.ddl(func(w *Writer) { must(t, w.CreateTable(plainTable(pg, SchemaPublic, "t"))) })
	ta, tb := e.db.Begin(), e.db.Begin()
	wa, wb := e.cat.BeginDDL(ta), e.cat.BeginDDL(tb)
	old := wa.Snapshot().Table(pg, SchemaPublic, "t")
	na := *old
	na.Owner = "a"
	must(t, wa.PutTable(&na))
	nb := *old
	nb.Owner = "b"
	got := make(chan error, 1)
	go func() { got <- wb.PutTable(&nb) }()
	time.Sleep(30 * time.Millisecond)
	if err := ta.Commit(); err != nil {
		t.Fatal(err)
	}
	wa.Publish()
	var pe *pgerr.Error
	if err := <-got; !errors.As(err, &pe) || pe.Code != "40001" {
		t.Fatalf("stale PutTable: %v", err)
	}
	wb.Abort()
	tb.Rollback()
	if e.cat.Snapshot().Table(pg, SchemaPublic, "t").Owner != "a" {
		t.Fatal("the first change was lost")
	}
}
