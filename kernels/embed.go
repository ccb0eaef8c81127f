// Package kernels holds gocnn's CUDA kernels: one .cu file per op family,
// forward and backward together, and the PTX nvcc made from each
// (committed, so that building the cuda backend needs no CUDA compiler),
// embedded here for the cuda backend to load.
//
// The PTX targets compute_80; the driver compiles it for the GPU at load
// time. Regenerate it with `go generate ./kernels` (needs nvcc 11.8).
//
// Every kernel the cuda backend launches is a Kernel variable of table.go,
// with its family and the kinds of its parameters: the launcher looks
// kernels up there and checks its arguments against them, and a test
// checks the table against the committed PTX, so a kernel renamed or given
// another parameter on one side only fails without a GPU.
package kernels

//go:generate sh gen.sh

import (
	"embed"
	"fmt"
	"io/fs"
	"strings"
)

//go:embed *.ptx
var ptx embed.FS

// Families returns the names of the kernel families, e.g. "pool" for
// pool.cu, sorted.
func Families() []string {
	entries, err := fs.ReadDir(ptx, ".")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".ptx"))
	}
	return names
}

// PTX returns the PTX of the named kernel family, NUL-terminated as the
// driver's module loader wants it, or an error when there is no such
// family.
func PTX(family string) (string, error) {
	b, err := ptx.ReadFile(family + ".ptx")
	if err != nil {
		return "", fmt.Errorf("kernels: no family %q", family)
	}
	return string(b) + "\x00", nil
}
