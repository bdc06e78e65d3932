package storage

import (
	"context"
	"errors"
	"testing"
	"time"
)

func lockTestDB(t *testing.T) *DB {
	t.Helper()
	db, err := Open("", Options{InMemory: true, DisableBackgroundMerge: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var lockSpace = Space{Table: 7}

func TestLockConflictTable(t *testing.T) {
	// PostgreSQL's tuple lock conflicts (explicit-locking.html, table 13.3).
	want := map[[2]LockMode]bool{
		{LockKeyShare, LockKeyShare}: false, {LockKeyShare, LockShare}: false, {LockKeyShare, LockNoKeyUpdate}: false, {LockKeyShare, LockUpdate}: true,
		{LockShare, LockShare}: false, {LockShare, LockNoKeyUpdate}: true, {LockShare, LockUpdate}: true,
		{LockNoKeyUpdate, LockNoKeyUpdate}: true, {LockNoKeyUpdate, LockUpdate}: true,
		{LockUpdate, LockUpdate}: true,
	}
	for k, w := range want {
		if conflicts(k[0], k[1]) != w || conflicts(k[1], k[0]) != w {
			t.Errorf("conflicts(%d, %d) = %v, want %v", k[0], k[1], !w, w)
		}
	}
	db := lockTestDB(t)
	for k, w := range want {
		a, b := db.Begin(), db.Begin()
		if ok, err := a.LockKey(context.Background(), lockSpace, []byte("k"), k[0], NoWait); !ok || err != nil {
			t.Fatalf("first lock: %v %v", ok, err)
		}
		_, err := b.LockKey(context.Background(), lockSpace, []byte("k"), k[1], NoWait)
		if got := errors.Is(err, ErrLockNotAvailable); got != w {
			t.Errorf("modes %d then %d: blocked = %v, want %v (err %v)", k[0], k[1], got, w, err)
		}
		a.Rollback()
		b.Rollback()
	}
}

func TestLockWaitsForCommit(t *testing.T) {
	db := lockTestDB(t)
	a, b := db.Begin(), db.Begin()
	ctx := context.Background()
	if _, err := a.LockKey(ctx, lockSpace, []byte("k"), LockUpdate, Wait); err != nil {
		t.Fatal(err)
	}
	// Holding a lock again, or a weaker mode, does not wait.
	if _, err := a.LockKey(ctx, lockSpace, []byte("k"), LockShare, NoWait); err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		_, err := b.LockKey(ctx, lockSpace, []byte("k"), LockNoKeyUpdate, Wait)
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("second writer did not wait: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	a.Put(lockSpace, []byte("k"), []byte("v"))
	if err := a.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatalf("waiter: %v", err)
	}
	// The waiter reads what the holder committed.
	if v, ok, err := b.Get(lockSpace, []byte("k")); err != nil || !ok || string(v) != "v" {
		t.Fatalf("after the wait: %q %v %v", v, ok, err)
	}
	// Other keys and SkipLocked.
	c := db.Begin()
	if ok, err := c.LockKey(ctx, lockSpace, []byte("k"), LockUpdate, SkipLocked); ok || err != nil {
		t.Fatalf("SkipLocked on a held key: %v %v", ok, err)
	}
	if ok, err := c.LockKey(ctx, lockSpace, []byte("other"), LockUpdate, SkipLocked); !ok || err != nil {
		t.Fatalf("SkipLocked on a free key: %v %v", ok, err)
	}
	b.Rollback()
	c.Rollback()
	if n := len(db.rowLocks.keys); n != 0 {
		t.Errorf("%d lock entries left after every transaction ended", n)
	}
}

func TestLockCanceledWait(t *testing.T) {
	db := lockTestDB(t)
	a, b := db.Begin(), db.Begin()
	defer a.Rollback()
	defer b.Rollback()
	if _, err := a.LockChunk(context.Background(), 3, LockUpdate, Wait); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if _, err := b.LockChunk(ctx, 3, LockUpdate, Wait); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("canceled wait: %v", err)
	}
	// A chunk lock and a row key never collide.
	if _, err := b.LockKey(context.Background(), Space{Table: 3}, nil, LockUpdate, NoWait); err != nil {
		t.Fatalf("row lock beside a chunk lock: %v", err)
	}
}

func TestLockDeadlock(t *testing.T) {
	db := lockTestDB(t)
	ctx := context.Background()
	a, b, c := db.Begin(), db.Begin(), db.Begin()
	for i, tx := range []*Txn{a, b, c} {
		if _, err := tx.LockKey(ctx, lockSpace, []byte{byte(i)}, LockUpdate, Wait); err != nil {
			t.Fatal(err)
		}
	}
	// a waits for b, b waits for c: no cycle yet.
	errs := make([]chan error, 2)
	for i, tx := range []*Txn{a, b} {
		errs[i] = make(chan error, 1)
		go func() {
			_, err := tx.LockKey(ctx, lockSpace, []byte{byte(i + 1)}, LockUpdate, Wait)
			errs[i] <- err
		}()
	}
	time.Sleep(50 * time.Millisecond)
	// c waiting for a closes the cycle: c fails, the others go on.
	if _, err := c.LockKey(ctx, lockSpace, []byte{0}, LockShare, Wait); !errors.Is(err, ErrDeadlock) {
		t.Fatalf("closing a cycle: %v", err)
	}
	c.Rollback()
	if err := <-errs[1]; err != nil {
		t.Fatalf("b after c gave up: %v", err)
	}
	b.Rollback()
	if err := <-errs[0]; err != nil {
		t.Fatalf("a after b ended: %v", err)
	}
	a.Rollback()
}

func TestLockRollbackToReleasesLaterLocks(t *testing.T) {
	db := lockTestDB(t)
	ctx := context.Background()
	a, b := db.Begin(), db.Begin()
	defer a.Rollback()
	defer b.Rollback()
	if _, err := a.LockKey(ctx, lockSpace, []byte("before"), LockUpdate, Wait); err != nil {
		t.Fatal(err)
	}
	sp := a.Savepoint()
	if _, err := a.LockKey(ctx, lockSpace, []byte("after"), LockUpdate, Wait); err != nil {
		t.Fatal(err)
	}
	a.RollbackTo(sp)
	if ok, err := b.LockKey(ctx, lockSpace, []byte("after"), LockUpdate, NoWait); !ok || err != nil {
		t.Errorf("a lock taken after the savepoint survived RollbackTo: %v %v", ok, err)
	}
	if _, err := b.LockKey(ctx, lockSpace, []byte("before"), LockUpdate, NoWait); !errors.Is(err, ErrLockNotAvailable) {
		t.Errorf("a lock taken before the savepoint was released: %v", err)
	}
}
