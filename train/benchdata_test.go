package train

import (
	"bytes"
	"context"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestBenchData runs -bench-data on a small folder: one line per worker
// count (1, 2, all) and batch kind, each with a positive rate, and no run
// output.
func TestBenchData(t *testing.T) {
	cfg := folderConfig(t, imageFolder(t, 2))
	cfg.BenchData, cfg.BenchSteps, cfg.Output = true, 2, ""
	var out bytes.Buffer
	if err := Run(context.Background(), cfg, &out); err != nil {
		t.Fatal(err)
	}
	t.Log(out.String())
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	workers := map[string]bool{"1": true, "2": true}
	if runtime.GOMAXPROCS(0) < 2 {
		delete(workers, "2")
	}
	row := regexp.MustCompile(`^(\d+) +(float32|uint8) +(\d+) +[\d.]+ +([\d.]+|n/a)$`)
	seen := map[string]bool{}
	for _, l := range lines[2:] {
		m := row.FindStringSubmatch(l)
		if m == nil || m[3] == "0" || !workers[m[1]] && m[1] != strconv.Itoa(runtime.GOMAXPROCS(0)) {
			t.Fatalf("line %q", l)
		}
		seen[m[1]+" "+m[2]] = true
	}
	for w := range workers {
		for _, kind := range []string{"float32", "uint8"} {
			if !seen[w+" "+kind] {
				t.Errorf("no line for %s workers, %s batches:\n%s", w, kind, out.String())
			}
		}
	}
	if !strings.HasPrefix(lines[0], "-bench-data: ") {
		t.Errorf("first line %q", lines[0])
	}
}
