package kernels

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestEverySourceHasPTX fails when a .cu file was added or removed without
// regenerating the PTX.
func TestEverySourceHasPTX(t *testing.T) {
	sources, err := filepath.Glob("*.cu")
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range sources {
		sources[i] = strings.TrimSuffix(s, ".cu")
	}
	if got := Families(); !slices.Equal(got, sources) {
		t.Errorf("embedded PTX families %v, sources %v: run go generate ./kernels", got, sources)
	}
	for _, f := range sources {
		p, err := PTX(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(p, ".entry") || !strings.HasSuffix(p, "\x00") {
			t.Errorf("%s.ptx has no kernel entry or lacks its NUL terminator", f)
		}
	}
	if _, err := PTX("nonexistent"); err == nil {
		t.Error("PTX of a missing family returned no error")
	}
	if _, err := os.Stat("gen.sh"); err != nil {
		t.Error(err)
	}
}
