package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"slices"
	"strings"
)

// ignoredColumns are left out of compared answers: tags ids come from a
// SERIAL that the loader's two workers race for, so the same host may get
// a different id on each engine.
var ignoredColumns = map[string]bool{"id": true, "tags_id": true}

// floatDigits is the number of decimals floats are rounded to before
// comparing: engines may add a group's values in another order.
const floatDigits = 6

// keptRows is the largest answer whose rows are kept as text for the
// message of a difference; larger answers (high-cpu-all at scale 4000
// returns millions of rows) are compared by count and hash alone.
const keptRows = 1000

// answer is one query's answer, normalized: each row a JSON object
// without ignoredColumns and with floats rounded to floatDigits decimals.
// Rows are compared as a multiset (an ORDER BY may leave ties in any
// order): by their count and the sum of their hashes, and, for answers
// of at most keptRows rows, by their text, sorted and joined by newlines.
// Only the count and the hash are kept in the results file (for
// -peer-from); text is compared when both sides have it.
type answer struct {
	rows int
	sum  uint64
	text string
}

// savedAnswer is an answer in the results file.
type savedAnswer struct {
	Rows int    `json:"rows"`
	Hash string `json:"hash"`
}

func (a answer) MarshalJSON() ([]byte, error) {
	return json.Marshal(savedAnswer{Rows: a.rows, Hash: fmt.Sprintf("%016x", a.sum)})
}

func (a *answer) UnmarshalJSON(b []byte) error {
	var s savedAnswer
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	a.rows = s.Rows
	_, err := fmt.Sscanf(s.Hash, "%x", &a.sum)
	return err
}

// answerBuilder accumulates the rows of one answer.
type answerBuilder struct {
	a     answer
	lines []string
}

func (b *answerBuilder) add(row map[string]any) {
	for k, v := range row {
		if ignoredColumns[k] {
			delete(row, k)
		} else if f, ok := v.(float64); ok {
			row[k] = roundFloat(f)
		}
	}
	line, _ := json.Marshal(row) // map keys marshal sorted
	h := fnv.New64a()
	h.Write(line)
	b.a.rows++
	b.a.sum += h.Sum64()
	switch {
	case b.a.rows <= keptRows:
		b.lines = append(b.lines, string(line))
	case b.lines != nil:
		b.lines = nil
	}
}

func (b *answerBuilder) done() answer {
	if b.a.rows <= keptRows {
		slices.Sort(b.lines)
		b.a.text = strings.Join(b.lines, "\n")
	}
	return b.a
}

// readAnswers reads the answers from the output of
// tsbs_run_queries_timescaledb --print-responses, one per query in run
// order, row by row, so that memory does not grow with an answer's size.
// The runner prints each answer as a pretty-printed JSON object
// {"query": ..., "results": [row, ...]} whose lines start with '{', '}'
// or blanks, among log and statistics lines that do not.
func readAnswers(out io.Reader) ([]answer, error) {
	dec := json.NewDecoder(&jsonLines{r: bufio.NewReaderSize(out, 1<<16)})
	var answers []answer
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return answers, nil
		}
		if err != nil {
			return nil, err
		}
		if tok != json.Delim('{') {
			return nil, fmt.Errorf("runner output: unexpected %v", tok)
		}
		a, ok, err := readResponse(dec)
		if err != nil {
			return nil, err
		}
		if ok {
			answers = append(answers, a)
		}
	}
}

// readResponse reads the rest of one response object after its '{'; ok
// is false when it has no results array.
func readResponse(dec *json.Decoder) (a answer, ok bool, err error) {
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return a, false, err
		}
		if key != "results" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return a, false, err
			}
			continue
		}
		tok, err := dec.Token()
		if err != nil {
			return a, false, err
		}
		if tok != json.Delim('[') {
			continue // null: no results
		}
		var b answerBuilder
		for dec.More() {
			var row map[string]any
			if err := dec.Decode(&row); err != nil {
				return a, false, err
			}
			b.add(row)
		}
		if _, err := dec.Token(); err != nil { // ']'
			return a, false, err
		}
		a, ok = b.done(), true
	}
	_, err = dec.Token() // '}'
	return a, ok, err
}

// jsonLines passes on the lines of r that belong to the runner's JSON
// responses: those starting with '{', '}', '[', ']' or a blank.
type jsonLines struct {
	r       *bufio.Reader
	pending []byte
}

func (j *jsonLines) Read(p []byte) (int, error) {
	for len(j.pending) == 0 {
		line, err := j.r.ReadBytes('\n')
		if len(line) > 0 && strings.IndexByte("{}[] \t", line[0]) >= 0 {
			j.pending = line
		}
		if err != nil && len(j.pending) == 0 {
			return 0, err
		}
	}
	n := copy(p, j.pending)
	j.pending = j.pending[n:]
	return n, nil
}

func roundFloat(f float64) float64 {
	p := math.Pow10(floatDigits)
	if math.IsInf(f*p, 0) {
		return f
	}
	return math.Round(f*p) / p
}

// firstDifference compares two answer lists and returns a description of
// the first difference, or "" when they are the same.
func firstDifference(got, want []answer) string {
	for i := range min(len(got), len(want)) {
		g, w := got[i], want[i]
		if g.rows != w.rows || g.sum != w.sum || (g.rows <= keptRows && g.text != "" && w.text != "" && g.text != w.text) {
			return fmt.Sprintf("query %d: got %s, want %s", i+1, describe(g), describe(w))
		}
	}
	if len(got) != len(want) {
		return fmt.Sprintf("%d answers, want %d", len(got), len(want))
	}
	return ""
}

// describe shows an answer in a message: its rows, clipped, or its size.
func describe(a answer) string {
	if a.rows > keptRows {
		return fmt.Sprintf("%d rows (hash %016x)", a.rows, a.sum)
	}
	s := strings.ReplaceAll(a.text, "\n", " | ")
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}
