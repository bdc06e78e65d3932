package parse

import (
	"fmt"
	"strings"
	"testing"

	pg "github.com/pganalyze/pg_query_go/v5"
	"google.golang.org/protobuf/proto"
)

// tagsInsert is what TSBS's loader sends for new tags: a multi-row
// INSERT of rows literals, ON CONFLICT DO NOTHING RETURNING *.
func tagsInsert(rows int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO tags(hostname,region,datacenter,rack,os) VALUES ")
	for i := 0; i < rows; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "('host_%d','eu-central-1','eu-central-1a','%d',NULL)", i%100, i%7)
	}
	b.WriteString(" ON CONFLICT DO NOTHING RETURNING *")
	return b.String()
}

// TestValuesTreeMatchesFullParse checks that the collapsed parse of a
// bulk INSERT gives exactly pg_query's tree of the whole normalized text.
func TestValuesTreeMatchesFullParse(t *testing.T) {
	wide := func(sep string, rows int, tail string) string {
		var b strings.Builder
		b.WriteString("INSERT INTO m (time, device, v, note) VALUES")
		for i := 0; i < rows; i++ {
			if i > 0 {
				b.WriteString("," + sep)
			}
			fmt.Fprintf(&b, " ('2024-01-01 00:00:%02d+00', %d ,%d.5, %s)", i%60, i, i, []string{"'x'", "NULL", "'it''s'"}[i%3])
		}
		return b.String() + tail
	}
	for _, q := range []string{
		tagsInsert(2000),
		wide("\n", 500, ""),
		wide("  ", 300, " ON CONFLICT (device) DO UPDATE SET v = 7 WHERE m.note <> 'y' RETURNING device, 'z'"),
		wide("", 200, " RETURNING *"),
	} {
		split, ok := splitStatements(q)
		if !ok || len(split) != 1 {
			t.Fatalf("not tokenized")
		}
		ns := split[0]
		if ns.values == nil {
			t.Fatalf("%.60q...: no VALUES rows found", q)
		}
		got, ok := ns.values.tree(ns.normalized)
		if !ok {
			t.Fatalf("%.60q...: collapsed parse refused", q)
		}
		want, err := pg.Parse(ns.normalized)
		if err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(got, want) {
			t.Errorf("%.60q...: collapsed tree differs from the full parse", q)
		}
	}
}

// TestValuesRowsRefused lists INSERTs whose rows are not all
// placeholders of one width: they are parsed whole.
func TestValuesRowsRefused(t *testing.T) {
	rows := func(row func(i int) string) string {
		var b strings.Builder
		b.WriteString("INSERT INTO t VALUES ")
		for i := 0; i < 400; i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(row(i))
		}
		return b.String()
	}
	for name, q := range map[string]string{
		"default":   rows(func(i int) string { return fmt.Sprintf("(%d, DEFAULT, 'aaaaaaaaaa')", i) }),
		"function":  rows(func(i int) string { return fmt.Sprintf("(%d, now(), 'aaaaaaaaaa')", i) }),
		"widths":    rows(func(i int) string { return fmt.Sprintf("(%d, 'aaaaaaaaaa'%s)", i, strings.Repeat(", 1", i%2)) }),
		"param":     rows(func(i int) string { return fmt.Sprintf("(%d, $1, 'aaaaaaaaaa')", i) }),
		"typed":     rows(func(i int) string { return fmt.Sprintf("(%d, DATE '2024-01-01', 'aaaaaaaaaa')", i) }),
		"subselect": "INSERT INTO t SELECT * FROM (" + rows(func(i int) string { return fmt.Sprintf("(%d, 'aaaaaaaaaa')", i) })[len("INSERT INTO t "):] + ") v",
		"few":       "INSERT INTO t VALUES (1, 'a'), (2, 'b') ON CONFLICT DO NOTHING -- " + strings.Repeat("x", maxCachedQuery),
	} {
		split, ok := splitStatements(q)
		if !ok || len(split) != 1 {
			t.Fatalf("%s: not tokenized", name)
		}
		if split[0].values != nil {
			t.Errorf("%s: VALUES rows found, want a whole parse", name)
		}
		if _, err := Parse(q); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
