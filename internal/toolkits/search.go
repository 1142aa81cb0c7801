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
	docs, scores := c.index.search(queryTerms(query))
	exact, isSlug := c.index.bySlug[strings.ToUpper(strings.TrimSpace(query))]
	if isSlug && (scores == nil || scores[exact] == 0) {
		docs = append(docs, exact) // a slug of no word the index holds
	}
	out := make([]ToolMatch, 0, len(docs))
	for _, i := range docs {
		t := c.toolList[i]
		if len(toolkits) > 0 && !slices.ContainsFunc(toolkits, func(s string) bool { return strings.EqualFold(s, t.Toolkit) }) {
			continue
		}
		var score float64
		if scores != nil {
			score = scores[i]
		}
		if isSlug && i == exact {
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

// searchIndex is an inverted index of the tools' weighted terms, by
// position in Catalog.toolList, so that a search visits only the tools
// that share a word with the query.
type searchIndex struct {
	postings map[string][]posting
	lens     []float64
	avgLen   float64
	bySlug   map[string]int
}

// posting is one tool's weighted frequency of a term.
type posting struct {
	doc int
	tf  float64
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
	idx := searchIndex{postings: map[string][]posting{}, bySlug: make(map[string]int, len(tools))}
	var total float64
	for i, t := range tools {
		idx.bySlug[t.Slug] = i
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
			idx.postings[term] = append(idx.postings[term], posting{doc: i, tf: w})
		}
		idx.lens = append(idx.lens, n)
		total += n
	}
	if len(tools) > 0 {
		idx.avgLen = total / float64(len(tools))
	}
	return idx
}

// search scores every tool that matches a query term: BM25 of the terms q
// against the tool, times one plus the share of q that the tool matches.
// It returns the matching tools' positions and their scores, by position.
func (idx searchIndex) search(q []string) (docs []int, scores []float64) {
	if len(q) == 0 {
		return nil, nil
	}
	scores = make([]float64, len(idx.lens))
	matched := make([]uint8, len(idx.lens)) // queries have far fewer than 256 terms
	n := float64(len(idx.lens))
	for _, term := range q {
		ps := idx.postings[term]
		if len(ps) == 0 {
			continue
		}
		df := float64(len(ps))
		idf := math.Log(1 + (n-df+0.5)/(df+0.5))
		for _, p := range ps {
			if matched[p.doc] == 0 {
				docs = append(docs, p.doc)
			}
			norm := p.tf + bm25K1*(1-bm25B+bm25B*idx.lens[p.doc]/idx.avgLen)
			scores[p.doc] += idf * p.tf * (bm25K1 + 1) / norm
			matched[p.doc]++
		}
	}
	for _, i := range docs {
		scores[i] *= 1 + float64(matched[i])/float64(len(q))
	}
	return docs, scores
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
