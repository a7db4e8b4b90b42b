package manifest

import (
	"encoding/binary"
	"errors"
	"math"
)

// Packed is an object in a compact binary form: about a fifth of the
// memory of its decoded maps. A run keeps every rendered object from the
// end of the render step until the target that uses it is checked (the
// CRDs must all be known first); packed, 10,000 targets fit in a few
// hundred MiB instead of more than a GiB.
//
// The encoding is lossless for the values Normalize produces: int64 and
// float64 stay apart, which JSON would not keep.
type Packed []byte

const (
	packNil byte = iota
	packFalse
	packTrue
	packInt
	packFloat
	packString
	packList
	packMap
)

// Pack encodes an object. ok is false when it holds a value of another
// type than Normalize produces (a timestamp YAML decoded), which the
// caller keeps decoded.
func Pack(obj map[string]any) (p Packed, ok bool) {
	b, ok := appendValue(make([]byte, 0, 1024), obj)
	if !ok {
		return nil, false
	}
	return Packed(b[:len(b):len(b)]), true
}

func appendValue(b []byte, v any) ([]byte, bool) {
	switch t := v.(type) {
	case nil:
		return append(b, packNil), true
	case bool:
		if t {
			return append(b, packTrue), true
		}
		return append(b, packFalse), true
	case int64:
		return binary.AppendVarint(append(b, packInt), t), true
	case float64:
		return binary.LittleEndian.AppendUint64(append(b, packFloat), math.Float64bits(t)), true
	case string:
		return appendString(append(b, packString), t), true
	case []any:
		b = binary.AppendUvarint(append(b, packList), uint64(len(t)))
		for _, e := range t {
			var ok bool
			if b, ok = appendValue(b, e); !ok {
				return nil, false
			}
		}
		return b, true
	case map[string]any:
		b = binary.AppendUvarint(append(b, packMap), uint64(len(t)))
		for k, e := range t {
			b = appendString(b, k)
			var ok bool
			if b, ok = appendValue(b, e); !ok {
				return nil, false
			}
		}
		return b, true
	default:
		return nil, false
	}
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// errPacked is returned for bytes Pack did not write.
var errPacked = errors.New("manifest: corrupt packed object")

// Unpack decodes a packed object into new maps.
func (p Packed) Unpack() (map[string]any, error) {
	d := unpacker{b: p}
	v, err := d.value()
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok || d.i != len(d.b) {
		return nil, errPacked
	}
	return m, nil
}

type unpacker struct {
	b []byte
	i int
}

func (d *unpacker) value() (any, error) {
	if d.i >= len(d.b) {
		return nil, errPacked
	}
	tag := d.b[d.i]
	d.i++
	switch tag {
	case packNil:
		return nil, nil
	case packFalse:
		return false, nil
	case packTrue:
		return true, nil
	case packInt:
		v, n := binary.Varint(d.b[d.i:])
		if n <= 0 {
			return nil, errPacked
		}
		d.i += n
		return v, nil
	case packFloat:
		if len(d.b)-d.i < 8 {
			return nil, errPacked
		}
		v := math.Float64frombits(binary.LittleEndian.Uint64(d.b[d.i:]))
		d.i += 8
		return v, nil
	case packString:
		return d.string()
	case packList:
		return d.list()
	case packMap:
		return d.object()
	default:
		return nil, errPacked
	}
}

// count reads a length; each element takes at least one byte, which
// bounds what a corrupt length can make the decoder allocate.
func (d *unpacker) count() (int, error) {
	n, k := binary.Uvarint(d.b[d.i:])
	if k <= 0 || n > uint64(len(d.b)-d.i-k) {
		return 0, errPacked
	}
	d.i += k
	return int(n), nil
}

func (d *unpacker) string() (string, error) {
	n, err := d.count()
	if err != nil {
		return "", err
	}
	s := string(d.b[d.i : d.i+n])
	d.i += n
	return s, nil
}

func (d *unpacker) list() (any, error) {
	n, err := d.count()
	if err != nil {
		return nil, err
	}
	l := make([]any, n)
	for i := range l {
		if l[i], err = d.value(); err != nil {
			return nil, err
		}
	}
	return l, nil
}

func (d *unpacker) object() (any, error) {
	n, err := d.count()
	if err != nil {
		return nil, err
	}
	m := make(map[string]any, n)
	for range n {
		k, err := d.string()
		if err != nil {
			return nil, err
		}
		if m[k], err = d.value(); err != nil {
			return nil, err
		}
	}
	return m, nil
}
