package storage

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestReopen(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, Options{DisableBackgroundMerge: true})
	if err != nil {
		t.Fatal(err)
	}
	commitAppend(t, db, 1, 1, 2, 3)
	commitAppend(t, db, 1, 4)
	txn := db.Begin()
	txn.PutMeta("k", []byte("v"))
	txn.Put(Space{Table: 3}, []byte("row"), []byte("val"))
	if err := txn.Commit(); err != nil {
		t.Fatal(err)
	}
	db = reopen(t, db, dir)
	txn = db.Begin()
	if got := sortedRows(t, txn, 1); len(got) != 4 {
		t.Fatalf("rows after reopen = %v", got)
	}
	if v, ok, _ := txn.GetMeta("k"); !ok || string(v) != "v" {
		t.Fatal("meta lost")
	}
	if v, ok, _ := txn.Get(Space{Table: 3}, []byte("row")); !ok || string(v) != "val" {
		t.Fatal("row lost")
	}
	// delta counts are restored and new block ids do not collide
	if d := db.merge.deltas[1]; d == nil || d.n != 2 {
		t.Fatalf("delta count after reopen = %+v", d)
	}
	blocks, _, _ := txn.Blocks(fullSpec(1))
	commitAppend(t, db, 1, 5)
	blocks2, _, _ := db.Begin().Blocks(fullSpec(1))
	if len(blocks2) != len(blocks)+1 || blocks2[len(blocks2)-1].ID <= blocks[len(blocks)-1].ID {
		t.Fatalf("new block id does not follow: %d then %d blocks", len(blocks), len(blocks2))
	}
	if err := db.Merge(1); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := sortedRows(t, db.Begin(), 1); len(got) != 5 {
		t.Fatalf("rows after merge and reopen = %v", got)
	}
	if n, err := db.ChunkBytes(1); err != nil || n < 0 {
		t.Fatalf("ChunkBytes = %d %v", n, err)
	}
	if _, err := db.TableBytes(3); err != nil {
		t.Fatal(err)
	}
}

// killChildEnv makes the test binary act as the committing child process.
const killChildEnv = "TSGRES_STORAGE_KILL_CHILD"

// rowsPerKillCommit is how many rows each child commit appends.
const rowsPerKillCommit = 50

// TestKillChild is the child half of TestKillSafety: it commits forever,
// printing each acknowledged commit.
func TestKillChild(t *testing.T) {
	dir := os.Getenv(killChildEnv)
	if dir == "" {
		t.Skip("only runs as TestKillSafety's child")
	}
	db, err := Open(dir, Options{MergeThreshold: 4})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	for i := int64(0); ; i++ {
		txn := db.Begin()
		txn.PutMeta(fmt.Sprintf("commit/%08d", i), []byte("x"))
		ts := make([]int64, rowsPerKillCommit)
		for j := range ts {
			ts[j] = i*1000 + int64(j)
		}
		if err := txn.Append(1, testSchema, mkBatch(ts...)); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		if err := txn.Commit(); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println("ok", i)
	}
}

func TestKillSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), killChildEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := int64(-1)
	sc := bufio.NewScanner(out)
	deadline := time.Now().Add(20 * time.Second)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "error") {
			t.Fatalf("child: %s", line)
		}
		if n, ok := strings.CutPrefix(line, "ok "); ok {
			acked, _ = strconv.ParseInt(n, 10, 64)
		}
		if acked >= 60 || time.Now().After(deadline) {
			break
		}
	}
	cmd.Process.Kill() // SIGKILL
	cmd.Wait()
	if acked < 0 {
		t.Fatal("child acknowledged no commit")
	}
	db, err := Open(dir, Options{DisableBackgroundMerge: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	txn := db.Begin()
	commits := map[int64]bool{}
	err = txn.ScanMeta("commit/", func(k string, _ []byte) error {
		i, err := strconv.ParseInt(strings.TrimPrefix(k, "commit/"), 10, 64)
		commits[i] = true
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	perCommit := map[int64]int{}
	spec := fullSpec(1)
	spec.Cols = testSchema.Cols[:1]
	blocks, _, err := txn.Blocks(spec)
	if err != nil {
		t.Fatal(err)
	}
	for _, blk := range blocks {
		b, err := txn.ReadBlock(spec, blk)
		if err != nil {
			t.Fatal(err)
		}
		for _, ts := range b.Cols[0].I64 {
			perCommit[ts/1000]++
		}
	}
	for i := int64(0); i <= acked; i++ {
		if !commits[i] {
			t.Errorf("acknowledged commit %d lost", i)
		}
	}
	for i := range commits {
		if perCommit[i] != rowsPerKillCommit {
			t.Errorf("commit %d has %d rows, want %d", i, perCommit[i], rowsPerKillCommit)
		}
	}
	for i, n := range perCommit {
		if !commits[i] {
			t.Errorf("rows of commit %d (%d) present without its metadata: partial transaction", i, n)
		}
	}
	t.Logf("acknowledged %d commits, found %d", acked+1, len(commits))
}
