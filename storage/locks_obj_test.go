package storage

import (
	"context"
	"errors"
	"testing"
	"time"
)

var relA, relB = RelationTag(5, 100), RelationTag(5, 101)

func TestRelLockConflictMatrix(t *testing.T) {
	// PostgreSQL's table 13.2 (explicit-locking.html), row by row: X
	// marks a conflict with AccessShare ... AccessExclusive.
	want := map[RelLockMode]string{
		AccessShareLock:          ".......X",
		RowShareLock:             "......XX",
		RowExclusiveLock:         "....XXXX",
		ShareUpdateExclusiveLock: "...XXXXX",
		ShareLock:                "..XX.XXX",
		ShareRowExclusiveLock:    "..XXXXXX",
		ExclusiveLock:            ".XXXXXXX",
		AccessExclusiveLock:      "XXXXXXXX",
	}
	db := lockTestDB(t)
	ctx := context.Background()
	for a := AccessShareLock; a <= AccessExclusiveLock; a++ {
		for b := AccessShareLock; b <= AccessExclusiveLock; b++ {
			w := want[a][b-1] == 'X'
			if RelLocksConflict(a, b) != w {
				t.Errorf("RelLocksConflict(%v, %v) = %v, want %v", a, b, !w, w)
			}
			x, y := db.Begin(), db.Begin()
			if ok, _, err := x.LockObject(ctx, relA, a, NoWait); !ok || err != nil {
				t.Fatalf("first lock: %v %v", ok, err)
			}
			_, _, err := y.LockObject(ctx, relA, b, NoWait)
			if got := errors.Is(err, ErrLockNotAvailable); got != w {
				t.Errorf("%v then %v: blocked = %v, want %v (%v)", a, b, got, w, err)
			}
			// Another relation is never blocked.
			if _, _, err := y.LockObject(ctx, relB, AccessExclusiveLock, NoWait); err != nil {
				t.Errorf("other relation: %v", err)
			}
			x.Rollback()
			y.Rollback()
		}
	}
	if n := len(db.rowLocks.objs); n != 0 {
		t.Errorf("%d object locks left after every transaction ended", n)
	}
}

// lockAsync takes tag in mode in the background and returns its result.
func lockAsync(tx *Txn, ctx context.Context, tag LockTag, mode RelLockMode) chan error {
	ch := make(chan error, 1)
	go func() {
		_, _, err := tx.LockObject(ctx, tag, mode, Wait)
		ch <- err
	}()
	return ch
}

func expectWaiting(t *testing.T, ch chan error) {
	t.Helper()
	select {
	case err := <-ch:
		t.Fatalf("did not wait: %v", err)
	case <-time.After(40 * time.Millisecond):
	}
}

func TestRelLockHeldModesAndWaiterQueue(t *testing.T) {
	db := lockTestDB(t)
	ctx := context.Background()
	reader, ddl, late := db.Begin(), db.Begin(), db.Begin()
	reader.SetLockOwner(11)
	ddl.SetLockOwner(12)
	late.SetLockOwner(13)
	if _, _, err := reader.LockObject(ctx, relA, AccessShareLock, Wait); err != nil {
		t.Fatal(err)
	}
	// A holder asking again, or for a mode its other modes allow, goes on.
	if _, waited, err := reader.LockObject(ctx, relA, RowExclusiveLock, Wait); err != nil || waited {
		t.Fatal(waited, err)
	}
	if !reader.HoldsObject(relA, RowShareLock) || reader.HoldsObject(relA, ShareLock) || ddl.HoldsObject(relA, AccessShareLock) {
		t.Fatal("HoldsObject")
	}
	alter := lockAsync(ddl, ctx, relA, AccessExclusiveLock)
	expectWaiting(t, alter)
	// A reader arriving after the waiting ALTER queues behind it.
	read := lockAsync(late, ctx, relA, AccessShareLock)
	expectWaiting(t, read)
	locks := db.Locks()
	var granted, waiting int
	for _, l := range locks {
		if l.Type == "virtualxid" {
			continue
		}
		if l.Type != "relation" || l.DB != 5 || l.Relation != 100 {
			t.Errorf("unexpected lock %+v", l)
		}
		if l.Granted {
			granted++
			if l.PID != 11 {
				t.Errorf("granted to %d", l.PID)
			}
		} else {
			waiting++
			if l.WaitStart.IsZero() {
				t.Errorf("waiter without a start: %+v", l)
			}
		}
	}
	if granted != 2 || waiting != 2 {
		t.Errorf("pg_locks: %d granted, %d waiting: %+v", granted, waiting, locks)
	}
	if got := db.BlockingPIDs(12); len(got) != 1 || got[0] != 11 {
		t.Errorf("BlockingPIDs(ddl) = %v", got)
	}
	if got := db.BlockingPIDs(13); len(got) != 1 || got[0] != 12 {
		t.Errorf("BlockingPIDs(late reader) = %v", got)
	}
	reader.Rollback()
	if err := <-alter; err != nil {
		t.Fatal(err)
	}
	expectWaiting(t, read)
	ddl.Rollback()
	if err := <-read; err != nil {
		t.Fatal(err)
	}
	late.Rollback()
	if n := len(db.rowLocks.objs) + len(db.rowLocks.owners); n != 0 {
		t.Errorf("%d entries left", n)
	}
}

func TestRelLockTimeoutWakesQueue(t *testing.T) {
	db := lockTestDB(t)
	a, b, c := db.Begin(), db.Begin(), db.Begin()
	defer a.Rollback()
	defer b.Rollback()
	defer c.Rollback()
	if _, _, err := a.LockObject(context.Background(), relA, AccessShareLock, Wait); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Millisecond)
	defer cancel()
	alter := lockAsync(b, ctx, relA, AccessExclusiveLock)
	time.Sleep(20 * time.Millisecond)
	read := lockAsync(c, context.Background(), relA, AccessShareLock)
	if err := <-alter; !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("timed-out ALTER: %v", err)
	}
	// The reader queued behind the ALTER goes once the ALTER gives up.
	select {
	case err := <-read:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Second):
		t.Fatal("reader still queued behind a waiter that left")
	}
}

func TestRelLockDeadlock(t *testing.T) {
	db := lockTestDB(t)
	ctx := context.Background()
	a, b := db.Begin(), db.Begin()
	defer a.Rollback()
	defer b.Rollback()
	// Two readers both upgrading to AccessExclusive deadlock.
	for _, tx := range []*Txn{a, b} {
		if _, _, err := tx.LockObject(ctx, relA, AccessShareLock, Wait); err != nil {
			t.Fatal(err)
		}
	}
	ch := lockAsync(a, ctx, relA, AccessExclusiveLock)
	expectWaiting(t, ch)
	if _, _, err := b.LockObject(ctx, relA, AccessExclusiveLock, Wait); !errors.Is(err, ErrDeadlock) {
		t.Fatalf("upgrade deadlock: %v", err)
	}
	b.Rollback()
	if err := <-ch; err != nil {
		t.Fatal(err)
	}
	// A cycle through a row lock and a relation lock.
	c, d := db.Begin(), db.Begin()
	defer c.Rollback()
	defer d.Rollback()
	if _, err := c.LockKey(ctx, lockSpace, []byte("r"), LockUpdate, Wait); err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.LockObject(ctx, relB, AccessExclusiveLock, Wait); err != nil {
		t.Fatal(err)
	}
	ch = lockAsync(c, ctx, relB, AccessShareLock)
	expectWaiting(t, ch)
	if _, err := d.LockKey(ctx, lockSpace, []byte("r"), LockShare, Wait); !errors.Is(err, ErrDeadlock) {
		t.Fatalf("row/relation deadlock: %v", err)
	}
	d.Rollback()
	if err := <-ch; err != nil {
		t.Fatal(err)
	}
}

func TestRelLockRollbackToReleases(t *testing.T) {
	db := lockTestDB(t)
	ctx := context.Background()
	a, b := db.Begin(), db.Begin()
	defer a.Rollback()
	defer b.Rollback()
	sp := a.Savepoint()
	if _, _, err := a.LockObject(ctx, relA, AccessExclusiveLock, Wait); err != nil {
		t.Fatal(err)
	}
	a.RollbackTo(sp)
	if _, _, err := b.LockObject(ctx, relA, AccessShareLock, NoWait); err != nil {
		t.Fatalf("lock after RollbackTo: %v", err)
	}
}

// TestRelLockHotPathAllocs checks that taking and releasing an
// AccessShare lock, the cost every SELECT pays, allocates nothing once
// the lock table is warm beyond the transaction's list of its locks.
func TestRelLockHotPathAllocs(t *testing.T) {
	db := lockTestDB(t)
	ctx := context.Background()
	tx := db.Begin()
	defer tx.Rollback()
	n := testing.AllocsPerRun(1000, func() {
		if _, _, err := tx.LockObject(ctx, relA, AccessShareLock, Wait); err != nil {
			t.Fatal(err)
		}
		tx.releaseLocksFrom(0)
	})
	if n > 0 {
		t.Errorf("%v allocations per AccessShare lock and release", n)
	}
}

// BenchmarkRelLockAccessShare measures one AccessShare acquisition and
// release in an otherwise idle lock table.
func BenchmarkRelLockAccessShare(b *testing.B) {
	db, err := Open("", Options{InMemory: true, DisableBackgroundMerge: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	tx := db.Begin()
	defer tx.Rollback()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, _, err := tx.LockObject(ctx, relA, AccessShareLock, Wait); err != nil {
			b.Fatal(err)
		}
		tx.releaseLocksFrom(0)
	}
}
