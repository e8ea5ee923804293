package verify

import (
	"errors"
	"fmt"
	"strconv"
)

// A small PDF tokenizer (ISO 32000-1 §7.2, §7.3) for the trailer
// dictionaries checked before the file is handed to the third-party parser.
// It tokenizes the way github.com/digitorus/pdf does, and refuses what that
// parser would read differently or fail on.

var errSyntax = errors.New("PDF syntax error")

type tokKind int

const (
	tokEOF tokKind = iota
	tokInt
	tokReal
	tokBool
	tokName
	tokString
	tokKeyword
	tokDictOpen
	tokDictClose
	tokArrayOpen
	tokArrayClose
)

type pdfToken struct {
	kind tokKind
	n    int64  // tokInt
	s    string // tokName (decoded), tokKeyword, tokReal; tokString (decoded) when the lexer decodes strings
}

type lexer struct {
	data []byte
	pos  int
	// strings makes the lexer decode string tokens into pdfToken.s; the
	// structure checks only need to skip them.
	strings bool
}

func isPDFSpace(c byte) bool {
	switch c {
	case 0, '\t', '\n', '\f', '\r', ' ':
		return true
	}
	return false
}

func isPDFDelim(c byte) bool {
	switch c {
	case '<', '>', '(', ')', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

func hexVal(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func (l *lexer) errorf(format string, args ...any) error {
	return fmt.Errorf("%w at offset %d: %s", errSyntax, l.pos, fmt.Sprintf(format, args...))
}

// skipSpace skips white space and comments.
func (l *lexer) skipSpace() {
	for l.pos < len(l.data) {
		c := l.data[l.pos]
		switch {
		case isPDFSpace(c):
			l.pos++
		case c == '%':
			for l.pos < len(l.data) && l.data[l.pos] != '\r' && l.data[l.pos] != '\n' {
				l.pos++
			}
		default:
			return
		}
	}
}

func (l *lexer) next() (pdfToken, error) {
	l.skipSpace()
	if l.pos >= len(l.data) {
		return pdfToken{kind: tokEOF}, nil
	}
	c := l.data[l.pos]
	switch c {
	case '<':
		if l.pos+1 < len(l.data) && l.data[l.pos+1] == '<' {
			l.pos += 2
			return pdfToken{kind: tokDictOpen}, nil
		}
		return l.hexString()
	case '>':
		if l.pos+1 < len(l.data) && l.data[l.pos+1] == '>' {
			l.pos += 2
			return pdfToken{kind: tokDictClose}, nil
		}
		return pdfToken{}, l.errorf("unexpected '>'")
	case '[':
		l.pos++
		return pdfToken{kind: tokArrayOpen}, nil
	case ']':
		l.pos++
		return pdfToken{kind: tokArrayClose}, nil
	case '(':
		return l.literalString()
	case '/':
		return l.name()
	case ')', '{', '}':
		return pdfToken{}, l.errorf("unexpected %q", c)
	}
	start := l.pos
	for l.pos < len(l.data) && !isPDFDelim(l.data[l.pos]) && !isPDFSpace(l.data[l.pos]) {
		l.pos++
	}
	word := string(l.data[start:l.pos])
	switch {
	case word == "true" || word == "false":
		return pdfToken{kind: tokBool, s: word}, nil
	case isIntegerWord(word):
		n, err := strconv.ParseInt(word, 10, 64)
		if err != nil {
			return pdfToken{}, l.errorf("integer %q out of range", word)
		}
		return pdfToken{kind: tokInt, n: n}, nil
	case isRealWord(word):
		return pdfToken{kind: tokReal, s: word}, nil
	}
	return pdfToken{kind: tokKeyword, s: word}, nil
}

func isIntegerWord(s string) bool {
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isRealWord(s string) bool {
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	dots, digits := 0, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '.':
			dots++
		case s[i] >= '0' && s[i] <= '9':
			digits++
		default:
			return false
		}
	}
	return dots == 1 && digits > 0
}

func (l *lexer) hexString() (pdfToken, error) {
	l.pos++ // '<'
	digits := 0
	var out []byte
	for l.pos < len(l.data) {
		c := l.data[l.pos]
		l.pos++
		switch {
		case c == '>':
			if digits%2 != 0 {
				return pdfToken{}, l.errorf("hex string with an odd number of digits")
			}
			return pdfToken{kind: tokString, s: string(out)}, nil
		case isPDFSpace(c):
		case hexVal(c) >= 0:
			if l.strings {
				if digits%2 == 0 {
					out = append(out, byte(hexVal(c)<<4))
				} else {
					out[len(out)-1] |= byte(hexVal(c))
				}
			}
			digits++
		default:
			return pdfToken{}, l.errorf("invalid character %q in hex string", c)
		}
	}
	return pdfToken{}, l.errorf("unterminated hex string")
}

func (l *lexer) literalString() (pdfToken, error) {
	l.pos++ // '('
	depth := 1
	var out []byte
	keep := func(b byte) {
		if l.strings {
			out = append(out, b)
		}
	}
	for l.pos < len(l.data) {
		c := l.data[l.pos]
		l.pos++
		switch c {
		case '(':
			depth++
			keep(c)
		case ')':
			depth--
			if depth == 0 {
				return pdfToken{kind: tokString, s: string(out)}, nil
			}
			keep(c)
		case '\\':
			if l.pos >= len(l.data) {
				return pdfToken{}, l.errorf("unterminated string")
			}
			e := l.data[l.pos]
			l.pos++
			switch e {
			case 'n':
				keep('\n')
			case 'r':
				keep('\r')
			case 't':
				keep('\t')
			case 'b':
				keep('\b')
			case 'f':
				keep('\f')
			case '(', ')', '\\':
				keep(e)
			case '\r':
				// A line continuation: backslash, end of line.
				if l.pos < len(l.data) && l.data[l.pos] == '\n' {
					l.pos++
				}
			case '\n':
			case '0', '1', '2', '3', '4', '5', '6', '7':
				v := int(e - '0')
				for i := 0; i < 2 && l.pos < len(l.data) && l.data[l.pos] >= '0' && l.data[l.pos] <= '7'; i++ {
					v = v*8 + int(l.data[l.pos]-'0')
					l.pos++
				}
				if v > 255 {
					return pdfToken{}, l.errorf("octal escape out of range")
				}
				keep(byte(v))
			default:
				return pdfToken{}, l.errorf("invalid escape \\%c", e)
			}
		case '\r':
			// An end of line in a string reads as a line feed.
			if l.pos < len(l.data) && l.data[l.pos] == '\n' {
				l.pos++
			}
			keep('\n')
		default:
			keep(c)
		}
	}
	return pdfToken{}, l.errorf("unterminated string")
}

func (l *lexer) name() (pdfToken, error) {
	l.pos++ // '/'
	var b []byte
	for l.pos < len(l.data) {
		c := l.data[l.pos]
		if isPDFDelim(c) || isPDFSpace(c) {
			break
		}
		l.pos++
		if c == '#' {
			if l.pos+1 >= len(l.data) || hexVal(l.data[l.pos]) < 0 || hexVal(l.data[l.pos+1]) < 0 {
				return pdfToken{}, l.errorf("malformed name escape")
			}
			c = byte(hexVal(l.data[l.pos])<<4 | hexVal(l.data[l.pos+1]))
			l.pos += 2
		}
		b = append(b, c)
	}
	return pdfToken{kind: tokName, s: string(b)}, nil
}

// valueKind classifies a dictionary value for the structure check.
type valueKind int

const (
	valueOther valueKind = iota
	valueInt
	valueRef
	valueNull
)

type pdfValue struct {
	kind valueKind
	n    int64
}

// maxNesting bounds arrays and dictionaries nested inside a trailer.
const maxNesting = 32

// dict reads a dictionary whose "<<" is the next token and returns its
// top-level entries. Keys must be unique.
func (l *lexer) dict() (map[string]pdfValue, error) {
	t, err := l.next()
	if err != nil {
		return nil, err
	}
	if t.kind != tokDictOpen {
		return nil, l.errorf("expected a dictionary")
	}
	return l.dictBody(0)
}

func (l *lexer) dictBody(depth int) (map[string]pdfValue, error) {
	if depth >= maxNesting {
		return nil, l.errorf("dictionaries nested too deeply")
	}
	out := make(map[string]pdfValue)
	for {
		t, err := l.next()
		if err != nil {
			return nil, err
		}
		switch t.kind {
		case tokDictClose:
			return out, nil
		case tokName:
		default:
			return nil, l.errorf("dictionary key is not a name")
		}
		if _, dup := out[t.s]; dup {
			return nil, l.errorf("key /%s appears twice", t.s)
		}
		v, err := l.value(depth)
		if err != nil {
			return nil, err
		}
		out[t.s] = v
	}
}

// value reads one object. Integers followed by "gen R" are references.
func (l *lexer) value(depth int) (pdfValue, error) {
	t, err := l.next()
	if err != nil {
		return pdfValue{}, err
	}
	switch t.kind {
	case tokDictOpen:
		_, err := l.dictBody(depth + 1)
		return pdfValue{}, err
	case tokArrayOpen:
		return pdfValue{}, l.arrayBody(depth + 1)
	case tokInt:
		save := l.pos
		if t2, err := l.next(); err == nil && t2.kind == tokInt && t.n >= 0 && t.n <= 1<<32-1 && t2.n >= 0 && t2.n <= 1<<16-1 {
			if t3, err := l.next(); err == nil && t3.kind == tokKeyword && t3.s == "R" {
				return pdfValue{kind: valueRef, n: t.n}, nil
			}
		}
		l.pos = save
		return pdfValue{kind: valueInt, n: t.n}, nil
	case tokReal, tokBool, tokName, tokString:
		return pdfValue{}, nil
	case tokKeyword:
		if t.s == "null" {
			return pdfValue{kind: valueNull}, nil
		}
		return pdfValue{}, l.errorf("unexpected keyword %q", t.s)
	case tokEOF:
		return pdfValue{}, l.errorf("unexpected end of file")
	}
	return pdfValue{}, l.errorf("unexpected token")
}

func (l *lexer) arrayBody(depth int) error {
	if depth >= maxNesting {
		return l.errorf("arrays nested too deeply")
	}
	for {
		save := l.pos
		t, err := l.next()
		if err != nil {
			return err
		}
		if t.kind == tokArrayClose {
			return nil
		}
		l.pos = save
		if _, err := l.value(depth); err != nil {
			return err
		}
	}
}
