package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
)

// field is one figure of a measurement per engine, e.g. rows_per_s.
type field struct {
	key    string
	unit   string
	higher bool // higher is better (throughput); else lower is (time, bytes)
	vals   map[string]float64
}

// measurement groups the figures of one workload, query or size.
type measurement struct {
	section string // ingest, query, size, memory
	name    string
	label   string
	info    map[string]any
	fields  []*field
}

// report collects every figure of a run, the notes and the answer
// mismatches.
type report struct {
	mu         sync.Mutex
	byKey      map[string]*measurement
	order      []*measurement
	notes      []string
	mismatches []string
	errors     []string
}

func newReport() *report { return &report{byKey: map[string]*measurement{}} }

// set records value v of field key of measurement section/name for engine.
func (r *report) set(section, name, label, eng, key, unit string, higher bool, v float64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.byKey[section+"/"+name]
	if m == nil {
		m = &measurement{section: section, name: name, label: label, info: map[string]any{}}
		r.byKey[section+"/"+name] = m
		r.order = append(r.order, m)
	}
	for _, f := range m.fields {
		if f.key == key {
			f.vals[eng] = v
			return
		}
	}
	m.fields = append(m.fields, &field{key: key, unit: unit, higher: higher, vals: map[string]float64{eng: v}})
}

// setInfo records a descriptive value (row count, SQL) of a measurement.
func (r *report) setInfo(section, name, key string, v any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if m := r.byKey[section+"/"+name]; m != nil {
		m.info[key] = v
	}
}

func (r *report) note(format string, args ...any) { r.log(&r.notes, "note: ", format, args...) }

func (r *report) mismatch(format string, args ...any) {
	r.log(&r.mismatches, "MISMATCH: ", format, args...)
}

func (r *report) fail(format string, args ...any) { r.log(&r.errors, "ERROR: ", format, args...) }

// log prints a message to stderr with its label and keeps it in list.
func (r *report) log(list *[]string, label, format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	fmt.Fprintln(os.Stderr, "tsbench: "+label+s)
	r.mu.Lock()
	*list = append(*list, s)
	r.mu.Unlock()
}

// copyReference gives each tsgres-only variant (compressed_*, *_cagg)
// the PostgreSQL figures of the plain measurement it stands for, so its
// ratio compares tsgres's variant with plain PostgreSQL.
func (r *report) copyReference() {
	for _, m := range r.order {
		base := strings.TrimSuffix(strings.TrimPrefix(m.name, "compressed_"), "_cagg")
		ref := r.byKey[m.section+"/"+base]
		if base == m.name || ref == nil {
			continue
		}
		for _, f := range m.fields {
			for _, rf := range ref.fields {
				if v, ok := rf.vals["postgres"]; ok && rf.key == f.key {
					f.vals["postgres"] = v
				}
			}
		}
	}
}

// ratio is tsgres/postgres for field f, or NaN when either is missing.
func (f *field) ratio() float64 {
	ts, ok1 := f.vals["tsgres"]
	pg, ok2 := f.vals["postgres"]
	if !ok1 || !ok2 || pg == 0 {
		return math.NaN()
	}
	return ts / pg
}

// verdict says which engine is better by how much.
func (f *field) verdict() string {
	q := f.ratio()
	if math.IsNaN(q) || q == 0 {
		return ""
	}
	better := q > 1
	if !f.higher {
		better = q < 1
	}
	x := math.Max(q, 1/q)
	if x < 1.05 {
		return "same"
	}
	if better {
		return fmt.Sprintf("tsgres %.2fx better", x)
	}
	return fmt.Sprintf("tsgres %.2fx worse", x)
}

func formatValue(v float64, unit string) string {
	switch unit {
	case "ms":
		return fmt.Sprintf("%.2f ms", v)
	case "B":
		return fmt.Sprintf("%.1f MiB", v/(1<<20))
	case "B/row", "B/value":
		return fmt.Sprintf("%.2f %s", v, unit)
	case "s":
		return fmt.Sprintf("%.1f s", v)
	}
	return fmt.Sprintf("%.0f %s", v, unit)
}

// sections is the table's section order.
var sections = []string{"ingest", "query", "oltp", "size", "memory"}

// printTable writes the human-readable table.
func (r *report) printTable(w io.Writer) {
	fmt.Fprintf(w, "\n%-58s %18s %18s %9s  %s\n", "measurement", "tsgres", "postgres", "ts/pg", "")
	order := slices.Clone(r.order)
	slices.SortStableFunc(order, func(a, b *measurement) int {
		return slices.Index(sections, a.section) - slices.Index(sections, b.section)
	})
	section := ""
	for _, m := range order {
		if m.section != section {
			section = m.section
			fmt.Fprintf(w, "-- %s %s\n", section, strings.Repeat("-", 100))
		}
		for _, f := range m.fields {
			cells := make([]string, 2)
			for i, eng := range []string{"tsgres", "postgres"} {
				cells[i] = "-"
				if v, ok := f.vals[eng]; ok {
					cells[i] = formatValue(v, f.unit)
				}
			}
			q := "-"
			if x := f.ratio(); !math.IsNaN(x) {
				q = fmt.Sprintf("%.3f", x)
			}
			fmt.Fprintf(w, "%-58s %18s %18s %9s  %s\n", trunc(m.label+" "+f.key, 58), cells[0], cells[1], q, f.verdict())
		}
	}
	for _, n := range r.notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	for _, e := range r.errors {
		fmt.Fprintf(w, "ERROR: %s\n", e)
	}
	if len(r.mismatches) > 0 {
		fmt.Fprintf(w, "\n!!! %d ANSWER MISMATCHES between tsgres and PostgreSQL:\n", len(r.mismatches))
		for _, s := range r.mismatches {
			fmt.Fprintf(w, "!!! %s\n", s)
		}
	} else {
		fmt.Fprintln(w, "\nall compared query answers match between tsgres and PostgreSQL")
	}
	fmt.Fprintln(w, "ts/pg is tsgres/PostgreSQL: higher is better for rows/s, values/s and tps, lower for latency, bytes and memory.")
}

func trunc(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}

// json returns the machine-readable document: per section and measurement
// the info, each engine's figure as <engine>_<key> and <key>_ratio.
func (r *report) json(meta map[string]any) map[string]any {
	doc := map[string]any{}
	for k, v := range meta {
		doc[k] = v
	}
	for _, m := range r.order {
		sec, _ := doc[m.section].(map[string]any)
		if sec == nil {
			sec = map[string]any{}
			doc[m.section] = sec
		}
		e := map[string]any{}
		for k, v := range m.info {
			e[k] = v
		}
		for _, f := range m.fields {
			keys := make([]string, 0, len(f.vals))
			for eng := range f.vals {
				keys = append(keys, eng)
			}
			sort.Strings(keys)
			for _, eng := range keys {
				e[eng+"_"+f.key] = f.vals[eng]
			}
			if x := f.ratio(); !math.IsNaN(x) {
				e[f.key+"_ratio"] = x
			}
		}
		sec[m.name] = e
	}
	doc["notes"] = r.notes
	doc["mismatches"] = r.mismatches
	doc["errors"] = r.errors
	return doc
}

func writeJSON(path string, doc map[string]any) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
