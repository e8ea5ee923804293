package translog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// memLeaves is a leafSource over leaf hashes in memory, counting reads.
type memLeaves struct {
	hashes [][32]byte
	reads  int
}

func (m *memLeaves) LeafHashes(_ context.Context, begin, end uint64) ([][32]byte, error) {
	m.reads++
	end = min(end, uint64(len(m.hashes)))
	if begin >= end {
		return nil, nil
	}
	return append([][32]byte(nil), m.hashes[begin:end]...), nil
}

func mustHex32(t testing.TB, s string) [32]byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		t.Fatalf("bad hex %q", s)
	}
	return [32]byte(b)
}

// The leaves and hashes of the reference tree in the test data of RFC 6962
// implementations (certificate-transparency, transparency-dev/merkle).
var (
	rfcLeafInputs = []string{"", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"}
	rfcRoots      = []string{
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
		"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
		"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
		"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
		"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
		"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
		"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
		"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
	}
	// rfcNodes[level][index] for the tree of 8 leaves.
	rfcNodes = [][]string{{
		"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
		"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
		"0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
		"07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
		"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
		"4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
		"b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
		"46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
	}, {
		"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
		"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
		"ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
	}, {
		"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
		"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
	}, {
		"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
	}}
)

// rfcLeafHashes returns the leaf hashes of the reference tree, computed
// without the library: SHA-256(0x00 || input).
func rfcLeafHashes(t testing.TB) [][32]byte {
	var out [][32]byte
	for _, in := range rfcLeafInputs {
		b, err := hex.DecodeString(in)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, sha256.Sum256(append([]byte{0}, b...)))
	}
	return out
}

// The tile heights under test: everything in memory, tiny tiles that put
// most of a small tree in the store, and the default.
var testTileHeights = []uint{0, 1, 2, 3, defaultTileHeight}

func TestEmptyTreeRoot(t *testing.T) {
	want := mustHex32(t, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
	tr := newTree(defaultTileHeight)
	got, err := tr.root(context.Background(), &memLeaves{}, 0)
	if err != nil || got != want {
		t.Errorf("got %x, %v, want %x", got, err, want)
	}
	if got := foldRoot(nil); got != want {
		t.Errorf("foldRoot(nil): got %x, want %x", got, want)
	}
}

func TestHashChildrenMatchesLibrary(t *testing.T) {
	l, r := sha256.Sum256([]byte("l")), sha256.Sum256([]byte("r"))
	got := hashChildren(l, r)
	if want := rfc6962.DefaultHasher.HashChildren(l[:], r[:]); !bytes.Equal(got[:], want) {
		t.Errorf("got %x, want %x", got, want)
	}
}

func TestRFC6962Vectors(t *testing.T) {
	ctx := context.Background()
	leaves := rfcLeafHashes(t)
	for _, height := range testTileHeights {
		t.Run(fmt.Sprintf("tile height %d", height), func(t *testing.T) {
			src := &memLeaves{hashes: leaves}
			tr := newTree(height)
			for n := 0; n <= len(leaves); n++ {
				if n > 0 {
					tr.push(leaves[n-1 : n])
				}
				// Every size up to the current one.
				for size := 0; size <= n; size++ {
					got, err := tr.root(ctx, src, uint64(size))
					if err != nil {
						t.Fatalf("root(%d) of %d leaves: %v", size, n, err)
					}
					if want := mustHex32(t, rfcRoots[size]); got != want {
						t.Errorf("root(%d) of %d leaves: got %x, want %x", size, n, got, want)
					}
				}
			}
			for level, hashes := range rfcNodes {
				for index, h := range hashes {
					id := compact.NewNodeID(uint(level), uint64(index))
					got, err := tr.nodes(ctx, src, 8, []compact.NodeID{id})
					if err != nil {
						t.Fatal(err)
					}
					if want := mustHex32(t, h); got[0] != want {
						t.Errorf("node %d/%d: got %x, want %x", level, index, got[0], want)
					}
				}
			}
			// Inclusion proofs spelled out from the node hashes.
			for _, tc := range []struct {
				index, size uint64
				want        []string
			}{
				{0, 8, []string{rfcNodes[0][1], rfcNodes[1][1], rfcNodes[2][1]}},
				{5, 8, []string{rfcNodes[0][4], rfcNodes[1][3], rfcNodes[2][0]}},
				{6, 7, []string{rfcNodes[1][2], rfcNodes[2][0]}},
				{2, 5, []string{rfcNodes[0][3], rfcNodes[1][0], rfcNodes[0][4]}},
				{0, 1, nil},
			} {
				p, leaf, root, err := tr.inclusion(ctx, src, tc.index, tc.size)
				if err != nil {
					t.Fatalf("inclusion(%d, %d): %v", tc.index, tc.size, err)
				}
				if leaf != leaves[tc.index] || root != mustHex32(t, rfcRoots[tc.size]) {
					t.Errorf("inclusion(%d, %d): leaf %x root %x", tc.index, tc.size, leaf, root)
				}
				if len(p) != len(tc.want) {
					t.Fatalf("inclusion(%d, %d): got %d hashes, want %d", tc.index, tc.size, len(p), len(tc.want))
				}
				for i := range p {
					if w := mustHex32(t, tc.want[i]); !bytes.Equal(p[i], w[:]) {
						t.Errorf("inclusion(%d, %d) hash %d: got %x, want %x", tc.index, tc.size, i, p[i], w)
					}
				}
			}
			// Consistency proofs spelled out from the node hashes.
			for _, tc := range []struct {
				from, to uint64
				want     []string
			}{
				{1, 8, []string{rfcNodes[0][1], rfcNodes[1][1], rfcNodes[2][1]}},
				{4, 8, []string{rfcNodes[2][1]}},
				{6, 8, []string{rfcNodes[1][2], rfcNodes[1][3], rfcNodes[2][0]}},
				{3, 8, []string{rfcNodes[0][2], rfcNodes[0][3], rfcNodes[1][0], rfcNodes[2][1]}},
				{8, 8, nil},
				{0, 8, nil},
			} {
				p, fromRoot, toRoot, err := tr.consistency(ctx, src, tc.from, tc.to)
				if err != nil {
					t.Fatalf("consistency(%d, %d): %v", tc.from, tc.to, err)
				}
				if fromRoot != mustHex32(t, rfcRoots[tc.from]) || toRoot != mustHex32(t, rfcRoots[tc.to]) {
					t.Errorf("consistency(%d, %d): roots %x %x", tc.from, tc.to, fromRoot, toRoot)
				}
				if len(p) != len(tc.want) {
					t.Fatalf("consistency(%d, %d): got %d hashes, want %d", tc.from, tc.to, len(p), len(tc.want))
				}
				for i := range p {
					if w := mustHex32(t, tc.want[i]); !bytes.Equal(p[i], w[:]) {
						t.Errorf("consistency(%d, %d) hash %d: got %x, want %x", tc.from, tc.to, i, p[i], w)
					}
				}
			}
		})
	}
}

// referenceRoots returns the root of every prefix of leaves, computed by
// the library's compact ranges, independently of tree.
func referenceRoots(t testing.TB, leaves [][32]byte) [][32]byte {
	f := compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}
	r := f.NewEmptyRange(0)
	roots := [][32]byte{sha256.Sum256(nil)}
	for _, l := range leaves {
		if err := r.Append(append([]byte(nil), l[:]...), nil); err != nil {
			t.Fatal(err)
		}
		root, err := r.GetRootHash(nil)
		if err != nil {
			t.Fatal(err)
		}
		roots = append(roots, [32]byte(root))
	}
	return roots
}

func syntheticLeaves(n int) [][32]byte {
	out := make([][32]byte, n)
	for i := range out {
		out[i] = sha256.Sum256(fmt.Appendf(nil, "leaf %d", i))
	}
	return out
}

func TestTreeMatchesReference(t *testing.T) {
	ctx := context.Background()
	const n = 70
	leaves := syntheticLeaves(n)
	roots := referenceRoots(t, leaves)
	for _, height := range testTileHeights {
		t.Run(fmt.Sprintf("tile height %d", height), func(t *testing.T) {
			src := &memLeaves{hashes: leaves}
			tr := newTree(height)
			tr.push(leaves)
			for size := uint64(0); size <= n; size++ {
				got, err := tr.root(ctx, src, size)
				if err != nil || got != roots[size] {
					t.Fatalf("root(%d): got %x, %v, want %x", size, got, err, roots[size])
				}
				for index := uint64(0); index < size; index++ {
					p, _, _, err := tr.inclusion(ctx, src, index, size)
					if err != nil {
						t.Fatalf("inclusion(%d, %d): %v", index, size, err)
					}
					if err := proof.VerifyInclusion(rfc6962.DefaultHasher, index, size, leaves[index][:], p, roots[size][:]); err != nil {
						t.Fatalf("inclusion(%d, %d) does not verify: %v", index, size, err)
					}
				}
				for from := uint64(0); from <= size; from++ {
					p, _, _, err := tr.consistency(ctx, src, from, size)
					if err != nil {
						t.Fatalf("consistency(%d, %d): %v", from, size, err)
					}
					if err := proof.VerifyConsistency(rfc6962.DefaultHasher, from, size, p, roots[from][:], roots[size][:]); err != nil {
						t.Fatalf("consistency(%d, %d) does not verify: %v", from, size, err)
					}
				}
			}
		})
	}
}

func TestTreeReadsOneTilePerProof(t *testing.T) {
	ctx := context.Background()
	const n = 5000
	leaves := syntheticLeaves(n)
	src := &memLeaves{hashes: leaves}
	tr := newTree(defaultTileHeight)
	tr.push(leaves)
	// Leaf 1000 is in a complete tile; the tree's right edge is in the
	// tail, in memory.
	if _, _, _, err := tr.inclusion(ctx, src, 1000, n); err != nil {
		t.Fatal(err)
	}
	if src.reads != 1 {
		t.Errorf("got %d reads of stored leaves, want 1", src.reads)
	}
	// At a size inside a complete tile, the root needs that tile too.
	src.reads = 0
	if _, _, _, err := tr.inclusion(ctx, src, 1000, 4000); err != nil {
		t.Fatal(err)
	}
	if src.reads != 2 {
		t.Errorf("got %d reads of stored leaves, want 2", src.reads)
	}
}

func TestTreeNodesRefusesBeyondSize(t *testing.T) {
	ctx := context.Background()
	leaves := syntheticLeaves(10)
	tr := newTree(2)
	tr.push(leaves)
	src := &memLeaves{hashes: leaves}
	for _, tc := range []struct {
		size uint64
		id   compact.NodeID
	}{
		{11, compact.NewNodeID(0, 0)},
		{10, compact.NewNodeID(0, 10)},
		{10, compact.NewNodeID(2, 2)},
		{10, compact.NewNodeID(64, 0)},
	} {
		if _, err := tr.nodes(ctx, src, tc.size, []compact.NodeID{tc.id}); err == nil {
			t.Errorf("nodes(size %d, %v): got nil error", tc.size, tc.id)
		}
	}
	// A store that lost leaves is corrupt.
	short := &memLeaves{hashes: leaves[:3]}
	if _, err := tr.nodes(ctx, short, 10, []compact.NodeID{compact.NewNodeID(1, 2)}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("nodes from a short store: got %v, want ErrCorrupt", err)
	}
}
