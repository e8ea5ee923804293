package translog

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// defaultTileHeight is the number of tree levels below the ones kept in
// memory: the hashes of every complete subtree of 2^8 = 256 leaves and all
// nodes above them are cached, which is 8 KiB per 65,536 leaves (256 KiB
// at a million, 250 MiB at a billion). Nodes lower than that are computed
// from at most 256 leaf hashes read from the store.
const defaultTileHeight = 8

// leafSource reads stored leaf hashes; Store implements it.
type leafSource interface {
	// LeafHashes returns the hashes of leaves [begin, end), in order.
	LeafHashes(ctx context.Context, begin, end uint64) ([][32]byte, error)
}

// tree is the in-memory part of the Merkle tree: the hashes of every
// complete perfect subtree at or above level height, and the leaf hashes of
// the last, incomplete tile. Together with the stored leaves, that gives the
// hash of any perfect subtree of any tree size up to size, by reading at
// most one tile of leaves per subtree below level height.
type tree struct {
	height uint

	mu   sync.RWMutex
	size uint64
	// levels[j] holds the hashes of the complete subtrees at level
	// height+j, left to right: len(levels[j]) == size >> (height+j).
	levels [][][32]byte
	// tail holds the hashes of leaves [size-len(tail), size), the part of
	// the last tile that is not complete; len(tail) < 1<<height.
	tail [][32]byte
}

func newTree(height uint) *tree {
	return &tree{height: height}
}

// push appends leaf hashes to the tree. The caller holds t.mu for writing.
func (t *tree) push(leaves [][32]byte) {
	width := 1 << t.height
	for _, leaf := range leaves {
		t.tail = append(t.tail, leaf)
		t.size++
		if len(t.tail) < width {
			continue
		}
		h := perfectRoot(t.tail)
		t.tail = t.tail[:0]
		for j := 0; ; j++ {
			if j == len(t.levels) {
				t.levels = append(t.levels, nil)
			}
			t.levels[j] = append(t.levels[j], h)
			n := len(t.levels[j])
			if n%2 == 1 {
				break
			}
			h = hashChildren(t.levels[j][n-2], t.levels[j][n-1])
		}
	}
}

// cachedSize returns the number of leaves in the tree.
func (t *tree) cachedSize() uint64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.size
}

// nodes returns the hashes of the perfect subtrees ids, each of which must
// lie within the first size leaves, with size no larger than the tree.
func (t *tree) nodes(ctx context.Context, src leafSource, size uint64, ids []compact.NodeID) ([][32]byte, error) {
	out := make([][32]byte, len(ids))
	// Subtrees below the cached levels and left of the tail, grouped by
	// tile: index of the tile -> positions in ids.
	var stored map[uint64][]int
	t.mu.RLock()
	if size > t.size {
		t.mu.RUnlock()
		return nil, fmt.Errorf("tree of %d leaves asked for a subtree of size %d", t.size, size)
	}
	tailStart := t.size - uint64(len(t.tail))
	for i, id := range ids {
		begin, end := id.Coverage()
		if id.Level >= 64 || end > size || end <= begin {
			t.mu.RUnlock()
			return nil, fmt.Errorf("subtree %d/%d is not within %d leaves", id.Level, id.Index, size)
		}
		switch {
		case id.Level >= t.height:
			out[i] = t.levels[id.Level-t.height][id.Index]
		case begin >= tailStart:
			out[i] = perfectRoot(t.tail[begin-tailStart : end-tailStart])
		default:
			if stored == nil {
				stored = make(map[uint64][]int)
			}
			tile := begin >> t.height
			stored[tile] = append(stored[tile], i)
		}
	}
	t.mu.RUnlock()
	for tile, positions := range stored {
		first := tile << t.height
		last := first
		for _, i := range positions {
			_, end := ids[i].Coverage()
			last = max(last, end)
		}
		leaves, err := src.LeafHashes(ctx, first, last)
		if err != nil {
			return nil, err
		}
		if uint64(len(leaves)) != last-first {
			return nil, fmt.Errorf("%w: read %d leaf hashes from %d, want %d", ErrCorrupt, len(leaves), first, last-first)
		}
		for _, i := range positions {
			begin, end := ids[i].Coverage()
			out[i] = perfectRoot(leaves[begin-first : end-first])
		}
	}
	return out, nil
}

// root returns the root hash of the tree of the first size leaves.
func (t *tree) root(ctx context.Context, src leafSource, size uint64) ([32]byte, error) {
	hashes, err := t.nodes(ctx, src, size, compact.RangeNodes(0, size, nil))
	if err != nil {
		return [32]byte{}, err
	}
	return foldRoot(hashes), nil
}

// inclusion returns the RFC 6962 inclusion proof of leaf index in the tree
// of the first size leaves, with the leaf hash and the root it leads to,
// all from one pass over the tree.
func (t *tree) inclusion(ctx context.Context, src leafSource, index, size uint64) (p [][]byte, leaf, root [32]byte, err error) {
	n, err := proof.Inclusion(index, size)
	if err != nil {
		return nil, leaf, root, fmt.Errorf("%w: %v", ErrInvalidArgument, err)
	}
	rootIDs := compact.RangeNodes(0, size, nil)
	ids := make([]compact.NodeID, 0, len(n.IDs)+1+len(rootIDs))
	ids = append(append(append(ids, n.IDs...), compact.NewNodeID(0, index)), rootIDs...)
	hashes, err := t.nodes(ctx, src, size, ids)
	if err != nil {
		return nil, leaf, root, err
	}
	p, err = n.Rehash(byteSlices(hashes[:len(n.IDs)]), rfc6962.DefaultHasher.HashChildren)
	if err != nil {
		return nil, leaf, root, err
	}
	return p, hashes[len(n.IDs)], foldRoot(hashes[len(n.IDs)+1:]), nil
}

// consistency returns the RFC 6962 consistency proof between the trees of
// the first from and to leaves, with the roots of both.
func (t *tree) consistency(ctx context.Context, src leafSource, from, to uint64) (p [][]byte, fromRoot, toRoot [32]byte, err error) {
	n, err := proof.Consistency(from, to)
	if err != nil {
		return nil, fromRoot, toRoot, fmt.Errorf("%w: %v", ErrInvalidArgument, err)
	}
	fromIDs := compact.RangeNodes(0, from, nil)
	toIDs := compact.RangeNodes(0, to, nil)
	ids := make([]compact.NodeID, 0, len(n.IDs)+len(fromIDs)+len(toIDs))
	ids = append(append(append(ids, n.IDs...), fromIDs...), toIDs...)
	hashes, err := t.nodes(ctx, src, to, ids)
	if err != nil {
		return nil, fromRoot, toRoot, err
	}
	p, err = n.Rehash(byteSlices(hashes[:len(n.IDs)]), rfc6962.DefaultHasher.HashChildren)
	if err != nil {
		return nil, fromRoot, toRoot, err
	}
	fromRoot = foldRoot(hashes[len(n.IDs) : len(n.IDs)+len(fromIDs)])
	toRoot = foldRoot(hashes[len(n.IDs)+len(fromIDs):])
	return p, fromRoot, toRoot, nil
}

// foldRoot joins the hashes of a compact range starting at leaf 0 into the
// tree's root; no hashes is the empty tree, SHA-256 of nothing.
func foldRoot(hashes [][32]byte) [32]byte {
	if len(hashes) == 0 {
		return sha256.Sum256(nil)
	}
	// The compact range lists perfect subtrees left to right, largest
	// first; RFC 6962 joins them from the right.
	r := hashes[len(hashes)-1]
	for i := len(hashes) - 2; i >= 0; i-- {
		r = hashChildren(hashes[i], r)
	}
	return r
}

func byteSlices(hashes [][32]byte) [][]byte {
	out := make([][]byte, len(hashes))
	for i := range hashes {
		out[i] = hashes[i][:]
	}
	return out
}

// hashChildren is the RFC 6962 interior node hash,
// SHA-256(0x01 || left || right).
func hashChildren(left, right [32]byte) [32]byte {
	var b [65]byte
	b[0] = rfc6962.RFC6962NodeHashPrefix
	copy(b[1:33], left[:])
	copy(b[33:], right[:])
	return sha256.Sum256(b[:])
}

// perfectRoot returns the root hash of a perfect subtree over leaves, whose
// number is a power of two.
func perfectRoot(leaves [][32]byte) [32]byte {
	if len(leaves) == 1 {
		return leaves[0]
	}
	buf := make([][32]byte, len(leaves)/2)
	for i := range buf {
		buf[i] = hashChildren(leaves[2*i], leaves[2*i+1])
	}
	for n := len(buf); n > 1; n /= 2 {
		for i := 0; i < n/2; i++ {
			buf[i] = hashChildren(buf[2*i], buf[2*i+1])
		}
	}
	return buf[0]
}
