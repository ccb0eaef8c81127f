package kernels

import (
	"bufio"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// ptxTypes maps each Arg to the type its PTX parameter is declared with.
var ptxTypes = map[Arg]string{Ptr: ".u64", Int: ".u64", F32: ".f32", F64: ".f64"}

// entries returns the parameter types of every .visible .entry in a
// family's PTX, by entry name.
func entries(t *testing.T, family string) map[string][]string {
	t.Helper()
	src, err := PTX(family)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	var name string // the entry whose parameters are being read, if any
	sc := bufio.NewScanner(strings.NewReader(src))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, ".visible .entry "):
			name = strings.TrimSuffix(strings.TrimPrefix(line, ".visible .entry "), "(")
			out[name] = []string{}
		case name != "" && strings.HasPrefix(line, ".param "):
			out[name] = append(out[name], strings.Fields(line)[1])
		case name != "" && line == ")":
			name = ""
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestTableMatchesPTX checks that every kernel the Go side launches is an
// entry of its family's committed PTX with the parameters the table says,
// and that the PTX has no entry the table lacks: a kernel renamed, given
// another parameter or left unlaunched fails here, without a GPU.
func TestTableMatchesPTX(t *testing.T) {
	byFamily := map[string]map[string][]string{}
	for _, f := range Families() {
		byFamily[f] = entries(t, f)
	}
	seen := map[string]bool{}
	for _, k := range table {
		if seen[k.Name] {
			t.Errorf("%s is in the table twice", k.Name)
		}
		seen[k.Name] = true
		got, ok := byFamily[k.Family][k.Name]
		if !ok {
			t.Errorf("%s: no entry in %s.ptx", k.Name, k.Family)
			continue
		}
		want := make([]string, len(k.Args))
		for i, a := range k.Args {
			want[i] = ptxTypes[a]
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: %s.ptx declares parameters %v, the table %v (%v)", k.Name, k.Family, got, want, k.Args)
		}
	}
	for _, f := range slices.Sorted(maps.Keys(byFamily)) {
		for _, name := range slices.Sorted(maps.Keys(byFamily[f])) {
			if !seen[name] {
				t.Errorf("%s.ptx has entry %s, which the table does not list", f, name)
			}
		}
	}
}

func TestCheckArgs(t *testing.T) {
	for _, c := range []struct {
		kinds []Arg
		err   string
	}{
		{[]Arg{Ptr, Int, F32}, ""},
		{[]Arg{Ptr, Int}, "takes 3 arguments, got 2"},
		{[]Arg{Ptr, Int, F32, F32}, "takes 3 arguments, got 4"},
		{[]Arg{Ptr, F32, F32}, "argument 1: float32 given, the kernel takes integer"},
	} {
		err := Fill.CheckArgs(c.kinds)
		if got := fmt.Sprint(err); c.err == "" && err != nil || c.err != "" && !strings.Contains(got, c.err) {
			t.Errorf("CheckArgs(%v) = %v, want %q", c.kinds, err, c.err)
		}
	}
}

func TestSgemm(t *testing.T) {
	if k := Sgemm(true, false, Small); k.Name != "sgemm_tn_small_f32" {
		t.Errorf("Sgemm(true, false, Small) = %s", k.Name)
	}
	if k := Sgemm(false, true, Big); k.Name != "sgemm_nt_big_f32" {
		t.Errorf("Sgemm(false, true, Big) = %s", k.Name)
	}
	if k := Sgemm(false, false, Tall); k.Name != "sgemm_nn_tall_f32" {
		t.Errorf("Sgemm(false, false, Tall) = %s", k.Name)
	}
	if k := Sgemm(true, true, TF32Tall); k.Name != "gemm_tf32_tt_tall_f32" {
		t.Errorf("Sgemm(true, true, TF32Tall) = %s", k.Name)
	}
}

// TestConvTiles checks that every tile has the three convolution passes,
// each tile in its own variant.
func TestConvTiles(t *testing.T) {
	for _, pass := range [][NumTiles]*Kernel{Conv2DForward, Conv2DBackwardData, Conv2DBackwardFilter} {
		seen := map[string]Tile{}
		for tile := range NumTiles {
			k := pass[tile]
			if k == nil {
				t.Errorf("tile %d: no convolution kernel", tile)
				continue
			}
			if other, ok := seen[k.Name]; ok {
				t.Errorf("tiles %d and %d share %s", other, tile, k.Name)
			}
			seen[k.Name] = tile
		}
	}
	if k := Conv2DBackwardData[Tall]; k == nil || k.Name != "conv2d_backward_data_tall_f32" {
		t.Errorf("Conv2DBackwardData[Tall] = %v", k)
	}
	if k := Conv2DBackwardFilter[TF32Tall]; k == nil || k.Name != "conv2d_backward_filter_tf32_tall_f32" {
		t.Errorf("Conv2DBackwardFilter[TF32Tall] = %v", k)
	}
}
