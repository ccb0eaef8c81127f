//go:build cuda

package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gocnn/gocnn/cuda"
)

// oomArgs carries a child process's train arguments (see TestOutOfMemory).
const oomArgs = "GOCNN_TEST_TRAIN_ARGS"

// TestOutOfMemory trains an epoch on a stand-in device of 64 MiB, then
// resumes the run for a second epoch on a device of 4 MiB, where a step
// cannot fit (a resume may not change the batch, so the card shrinks
// instead): train must end with one line that names the model, the batch
// and the memory a step needs, not a panic, and leave the first epoch's
// checkpoint as it was. The device's size is fixed when the driver loads,
// so each run is a child process of this test.
func TestOutOfMemory(t *testing.T) {
	if args, ok := os.LookupEnv(oomArgs); ok {
		if err := run(strings.Split(args, "\x1f"), io.Discard); err != nil {
			os.Stderr.WriteString(oneLine(err) + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	if !cuda.IsStandIn() {
		t.Skip("sizes the stand-in device's memory")
	}
	dir := filepath.Join(t.TempDir(), "run")
	train := func(memory string, args ...string) (string, error) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestOutOfMemory$")
		cmd.Env = append(os.Environ(), "GOCNN_SIM_MEMORY="+memory, oomArgs+"="+strings.Join(args, "\x1f"))
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := train("64MiB", "-gpus", "0", "-epochs", "1", "-limit", "16", "-batch", "8", "-output", dir); err != nil {
		t.Fatalf("the first epoch failed: %v\n%s", err, out)
	}
	before := snapshot(t, dir)
	out, err := train("4MiB", "-epochs", "2", "-resume-allow", "epochs", "-resume", dir)
	if err == nil {
		t.Fatalf("a training step of ResNet-20 at batch 8 fitted in 4 MiB:\n%s", out)
	}
	line := strings.TrimSpace(out)
	for _, want := range []string{"train: resnet20 at -batch 8 (28x28 images) needs ", " MiB of device memory for a training step;",
		"cuda:0: out of memory: ", " in use of 4 MiB"} {
		if !strings.Contains(line, want) {
			t.Errorf("the error does not say %q:\n%s", want, line)
		}
	}
	if strings.Contains(line, "\n") || strings.Contains(line, "goroutine") {
		t.Errorf("the error is not one line:\n%s", line)
	}
	after := snapshot(t, dir)
	for name, data := range before {
		if !bytes.Equal(after[name], data) {
			t.Errorf("%s changed when the resumed run ran out of memory", name)
		}
	}
	if len(after) != len(before) {
		t.Errorf("%d files in the run folder after the failure, %d before", len(after), len(before))
	}
}

// snapshot returns the contents of every file in dir.
func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = data
	}
	return files
}
