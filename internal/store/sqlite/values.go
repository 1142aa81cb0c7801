package sqlite

import (
	"encoding/json"
	"fmt"
	"time"
)

// timeLayout is how times are stored: UTC, fixed width and microsecond
// precision, so that text order is time order and the keyset comparisons in
// list queries can compare text.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// timeValue returns t as stored. Format truncates to the microsecond.
func timeValue(t time.Time) string { return t.UTC().Format(timeLayout) }

// nullTimeValue returns t as stored, or NULL for nil.
func nullTimeValue(t *time.Time) any {
	if t == nil {
		return nil
	}
	return timeValue(*t)
}

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse stored time: %w", err)
	}
	return t, nil
}

// timeCol scans a NOT NULL time column.
type timeCol struct{ dst *time.Time }

func (c timeCol) Scan(src any) error {
	s, ok := src.(string)
	if !ok {
		return fmt.Errorf("scan time: got %T, want text", src)
	}
	t, err := parseTime(s)
	if err != nil {
		return err
	}
	*c.dst = t
	return nil
}

// nullTimeCol scans a nullable time column; NULL is nil.
type nullTimeCol struct{ dst **time.Time }

func (c nullTimeCol) Scan(src any) error {
	if src == nil {
		*c.dst = nil
		return nil
	}
	var t time.Time
	if err := (timeCol{&t}).Scan(src); err != nil {
		return err
	}
	*c.dst = &t
	return nil
}

// bytesCol scans a BLOB column and keeps NULL and empty apart: the driver
// reports NULL as a nil interface and an empty blob as a nil []byte, while
// database/sql's own []byte scan turns both into nil.
type bytesCol struct{ dst *[]byte }

func (c bytesCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.dst = nil
	case []byte:
		*c.dst = append([]byte{}, v...)
	default:
		return fmt.Errorf("scan blob: got %T, want bytes", src)
	}
	return nil
}

// blobValue returns b for binding: nil binds NULL, and an empty slice an
// empty blob.
func blobValue(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

// jsonValue returns v as JSON text. A nil map or slice is stored as JSON
// null and reads back as nil.
func jsonValue(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode json: %w", err)
	}
	return string(b), nil
}

// jsonCol scans a JSON text column into dst.
type jsonCol struct{ dst any }

func (c jsonCol) Scan(src any) error {
	s, ok := src.(string)
	if !ok {
		return fmt.Errorf("scan json: got %T, want text", src)
	}
	if err := json.Unmarshal([]byte(s), c.dst); err != nil {
		return fmt.Errorf("decode stored json: %w", err)
	}
	return nil
}
