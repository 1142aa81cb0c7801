package toolkits

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode"
)

// ToolMatch is a tool found by SearchTools, with its relevance score.
type ToolMatch struct {
	Tool  Tool
	Score float64
}

// SearchTools ranks the catalog's tools against a free-text query, such as
// an agent's use case ("send an email to the team"). It scores with BM25
// over the words of each tool's slug, name, description, tags and toolkit
// name (the slug and name weigh most), and favours tools that match more of
// the query's words. A query equal to a tool's slug ranks that tool first.
//
// toolkits, when not empty, limits the search to those toolkit slugs
// (matched without regard to case). At most limit matches are returned, or
// all when limit <= 0. Tools that match no word are left out. The order is
// deterministic: by score, then by slug.
func (c *Catalog) SearchTools(query string, toolkits []string, limit int) []ToolMatch {
	q := queryTerms(query)
	exact := strings.ToUpper(strings.TrimSpace(query))
	var out []ToolMatch
	for i, t := range c.toolList {
		if len(toolkits) > 0 && !slices.ContainsFunc(toolkits, func(s string) bool { return strings.EqualFold(s, t.Toolkit) }) {
			continue
		}
		score := c.index.score(i, q)
		if t.Slug == exact {
			score += 1000
		}
		if score > 0 {
			out = append(out, ToolMatch{Tool: t, Score: score})
		}
	}
	slices.SortFunc(out, func(a, b ToolMatch) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return strings.Compare(a.Tool.Slug, b.Tool.Slug)
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// searchIndex holds each tool's weighted term frequencies, in the order of
// Catalog.toolList.
type searchIndex struct {
	docs   []map[string]float64
	lens   []float64
	avgLen float64
	df     map[string]int
}

// Field weights: a word in the slug or name says more about what a tool
// does than one in its description.
const (
	weightSlug        = 2.0
	weightName        = 3.0
	weightDescription = 1.0
	weightTag         = 0.5
	weightToolkit     = 1.0

	bm25K1 = 1.2
	bm25B  = 0.75
)

func buildIndex(tools []Tool, toolkitNames map[string]string) searchIndex {
	idx := searchIndex{df: map[string]int{}}
	var total float64
	for _, t := range tools {
		doc := map[string]float64{}
		add := func(text string, w float64) {
			for _, term := range terms(text) {
				doc[term] += w
			}
		}
		add(strings.ReplaceAll(t.Slug, "_", " "), weightSlug)
		add(t.Name, weightName)
		add(t.Description, weightDescription)
		for _, tag := range t.Tags {
			add(splitCamel(strings.TrimSuffix(tag, "Hint")), weightTag)
		}
		add(toolkitNames[t.Toolkit], weightToolkit)
		var n float64
		for term, w := range doc {
			n += w
			idx.df[term]++
		}
		idx.docs = append(idx.docs, doc)
		idx.lens = append(idx.lens, n)
		total += n
	}
	if len(tools) > 0 {
		idx.avgLen = total / float64(len(tools))
	}
	return idx
}

// score is BM25 of query terms q against document i, times one plus the
// share of q that the document matches.
func (idx searchIndex) score(i int, q []string) float64 {
	if len(q) == 0 || i >= len(idx.docs) {
		return 0
	}
	n := float64(len(idx.docs))
	var sum float64
	matched := 0
	for _, term := range q {
		tf := idx.docs[i][term]
		if tf == 0 {
			continue
		}
		matched++
		df := float64(idx.df[term])
		idf := math.Log(1 + (n-df+0.5)/(df+0.5))
		norm := tf + bm25K1*(1-bm25B+bm25B*idx.lens[i]/idx.avgLen)
		sum += idf * tf * (bm25K1 + 1) / norm
	}
	return sum * (1 + float64(matched)/float64(len(q)))
}

// stopWords carry no meaning for tool search.
var stopWords = map[string]bool{
	"a": true, "an": true, "the": true, "to": true, "of": true, "for": true, "in": true, "on": true,
	"and": true, "or": true, "by": true, "with": true, "from": true, "my": true, "me": true, "i": true,
	"is": true, "it": true, "be": true, "as": true, "at": true, "this": true, "that": true, "all": true,
	"some": true, "into": true, "its": true, "their": true, "our": true, "your": true, "use": true, "when": true,
}

// synonyms map a query word to the word the definitions use.
var synonyms = map[string]string{
	"mail": "email", "repo": "repository", "pr": "pull", "ticket": "issue",
	"meeting": "event", "appointment": "event", "dm": "direct", "msg": "message", "post": "send",
	"todo": "issue", "bug": "issue", "note": "page", "doc": "page", "document": "page", "me": "authenticated",
}

// queryTerms are a query's terms, synonyms added.
func queryTerms(query string) []string {
	var out []string
	query = strings.ReplaceAll(strings.ToLower(query), "e-mail", "email")
	for _, w := range strings.FieldsFunc(query, notWordRune) {
		s, ok := synonyms[w]
		if !ok {
			s, ok = synonyms[stem(w)]
		}
		if ok {
			out = append(out, stem(s))
		}
	}
	out = append(out, terms(query)...)
	slices.Sort(out)
	return slices.Compact(out)
}

// terms splits text into lower-case, stemmed words without stop words.
func terms(text string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(text), notWordRune) {
		if stopWords[w] {
			continue
		}
		out = append(out, stem(w))
	}
	return out
}

func notWordRune(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

// stem folds plurals, enough for tool names: "issues" and "issue",
// "repositories" and "repository".
func stem(w string) string {
	switch {
	case len(w) > 4 && strings.HasSuffix(w, "ies"):
		return w[:len(w)-3] + "y"
	case len(w) > 4 && strings.HasSuffix(w, "sses"):
		return w[:len(w)-2]
	case len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us"):
		return w[:len(w)-1]
	}
	return w
}

// splitCamel turns "readOnly" into "read Only".
func splitCamel(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && unicode.IsUpper(r) {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ToolQuery selects tools of the catalog; empty fields select everything.
type ToolQuery struct {
	// Search ranks tools by a use case, best first; without it tools come
	// in catalog order.
	Search   string
	Toolkits []string
	// Slugs keeps the tools named (case-insensitive).
	Slugs []string
	// Tags keeps the tools that carry any of them.
	Tags []string
}

// FindTools returns the tools q selects.
func (c *Catalog) FindTools(q ToolQuery) []Tool {
	var tools []Tool
	if q.Search != "" {
		for _, m := range c.SearchTools(q.Search, q.Toolkits, len(c.toolList)) {
			tools = append(tools, m.Tool)
		}
	} else {
		tools = c.Tools(q.Toolkits...)
	}
	return slices.DeleteFunc(tools, func(t Tool) bool {
		if len(q.Slugs) > 0 && !slices.ContainsFunc(q.Slugs, func(x string) bool { return strings.EqualFold(x, t.Slug) }) {
			return true
		}
		return len(q.Tags) > 0 && !slices.ContainsFunc(q.Tags, func(x string) bool { return slices.Contains(t.Tags, x) })
	})
}
