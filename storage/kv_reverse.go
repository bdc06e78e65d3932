package storage

// IterReverse iterates keys in [start, end) of a key space (nil =
// unbounded) from the last to the first, merging the transaction's own
// writes like Iter: the backward index scans of ORDER BY ... DESC.
func (t *Txn) IterReverse(sp Space, start, end []byte) KVIter {
	p := spacePrefix(sp)
	lower, upper := p, prefixEnd(p)
	if start != nil {
		lower = rowKey(sp, start)
	}
	if end != nil {
		upper = rowKey(sp, end)
	}
	return t.newIter(lower, upper, len(p), true, true)
}
