package parse

import (
	"container/list"
	"sync"

	pg "github.com/pganalyze/pg_query_go/v5"
)

// parseCacheSize bounds the parse cache; psycopg2 batches and ORMs repeat
// the same statement texts, and a parse costs far more than a lookup.
const parseCacheSize = 1024

// maxCachedQuery keeps huge one-off statements (bulk INSERT VALUES) out
// of the cache.
const maxCachedQuery = 4096

type parseCache struct {
	mu    sync.Mutex
	ll    *list.List
	items map[string]*list.Element
}

type parseEntry struct {
	sql string
	res *pg.ParseResult
}

var cache = &parseCache{ll: list.New(), items: map[string]*list.Element{}}

// Tree parses query into PostgreSQL's raw parse tree, reusing an earlier
// parse of the same text; errors are syntax errors as in Parse.
// The tree is shared with every caller: it must not be modified.
func Tree(query string) (*pg.ParseResult, error) {
	if len(query) <= maxCachedQuery {
		cache.mu.Lock()
		if e, ok := cache.items[query]; ok {
			cache.ll.MoveToFront(e)
			res := e.Value.(*parseEntry).res
			cache.mu.Unlock()
			return res, nil
		}
		cache.mu.Unlock()
	}
	res, err := pg.Parse(query)
	if err != nil {
		return nil, syntaxError(err)
	}
	if len(query) <= maxCachedQuery {
		cache.mu.Lock()
		if _, ok := cache.items[query]; !ok {
			cache.items[query] = cache.ll.PushFront(&parseEntry{sql: query, res: res})
			if cache.ll.Len() > parseCacheSize {
				old := cache.ll.Back()
				cache.ll.Remove(old)
				delete(cache.items, old.Value.(*parseEntry).sql)
			}
		}
		cache.mu.Unlock()
	}
	return res, nil
}
