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
	return &revIter{kvIter: t.newIter(lower, upper, len(p))}
}

// revIter is a kvIter that moves backwards.
type revIter struct{ *kvIter }

func (k *revIter) Next() bool {
	if k.it == nil || k.err != nil {
		return false
	}
	var ok bool
	if !k.started {
		k.started = true
		ok = k.it.Last()
	} else {
		ok = k.it.Prev()
	}
	if !ok {
		return false
	}
	k.val, k.err = k.it.ValueAndErr()
	return k.err == nil
}
