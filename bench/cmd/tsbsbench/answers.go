package main

import (
	"encoding/json"
	"fmt"
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

// normalizeAnswers extracts the answers from the output of
// tsbs_run_queries_timescaledb --print-responses, one per query in run
// order. The runner prints each answer as a JSON object {"query": ...,
// "results": [row, ...]} among its other output. Each answer becomes one
// string: its rows, each a JSON object without ignoredColumns and with
// floats rounded to floatDigits decimals, sorted (an ORDER BY may leave
// ties in any order) and joined by newlines.
func normalizeAnswers(out string) []string {
	var answers []string
	for i := strings.IndexByte(out, '{'); i >= 0; {
		dec := json.NewDecoder(strings.NewReader(out[i:]))
		var resp struct {
			Results *[]map[string]any `json:"results"`
		}
		if err := dec.Decode(&resp); err != nil || resp.Results == nil {
			next := strings.IndexByte(out[i+1:], '{')
			if next < 0 {
				break
			}
			i += 1 + next
			continue
		}
		answers = append(answers, normalizeRows(*resp.Results))
		i += int(dec.InputOffset())
		next := strings.IndexByte(out[i:], '{')
		if next < 0 {
			break
		}
		i += next
	}
	return answers
}

// normalizeRows renders rows as described at normalizeAnswers.
func normalizeRows(rows []map[string]any) string {
	lines := make([]string, 0, len(rows))
	for _, r := range rows {
		for k, v := range r {
			if ignoredColumns[k] {
				delete(r, k)
			} else if f, ok := v.(float64); ok {
				r[k] = roundFloat(f)
			}
		}
		b, _ := json.Marshal(r) // map keys marshal sorted
		lines = append(lines, string(b))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
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
func firstDifference(got, want []string) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("query %d: got %s, want %s", i+1, clip(got[i]), clip(want[i]))
		}
	}
	if len(got) != len(want) {
		return fmt.Sprintf("%d answers, want %d", len(got), len(want))
	}
	return ""
}

// clip shortens an answer for a message.
func clip(s string) string {
	s = strings.ReplaceAll(s, "\n", " | ")
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}
