package train

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
)

// fakeClock advances by step each time it is read.
func fakeClock(step time.Duration) func() time.Time {
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return func() time.Time { t = t.Add(step); return t }
}

func TestProgressPlain(t *testing.T) {
	var b bytes.Buffer
	p := &Progress{W: &b, PrintFreq: 4, Now: fakeClock(time.Second)}
	p.Begin(3, 10, "train")
	for s := 1; s <= 10; s++ {
		p.Step(s, 32, float64(s), 0.1)
	}
	p.End()
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	// steps 4, 8, the last one, and the summary
	if len(lines) != 4 || strings.Contains(b.String(), "\r") {
		t.Fatalf("output:\n%s", b.String())
	}
	// At step 4, 4 s have passed (one clock read per call): 128 images in
	// 4 s, 6 steps left at 1 s each, loss 4, mean (1+2+3+4)/4.
	if want := "epoch 3 train 4/10 ETA 6s 32.0 img/s loss 4.0000 (2.5000) lr 0.1"; lines[0] != want {
		t.Errorf("line %q, want %q", lines[0], want)
	}
	if !strings.HasPrefix(lines[2], "epoch 3 train 10/10 ETA 0s") {
		t.Errorf("last step line %q", lines[2])
	}
	// 11 s: 320 images, mean loss 5.5
	if want := "epoch 3 train done in 11s: 29.1 img/s, mean loss 5.5000"; lines[3] != want {
		t.Errorf("summary %q, want %q", lines[3], want)
	}
}

// TestProgressResumedEpoch: an epoch taken up after 6 of its 10 steps
// times the steps this run takes, not the ones before.
func TestProgressResumedEpoch(t *testing.T) {
	var b bytes.Buffer
	p := &Progress{W: &b, PrintFreq: 2, Now: fakeClock(time.Second)}
	p.resume(3, 10, 6, "train")
	p.Step(7, 32, 1, 0.1)
	p.Step(8, 32, 1, 0.1)
	// At step 8, 2 s for 2 steps: 2 steps left at 1 s each.
	if want := "epoch 3 train 8/10 ETA 2s 32.0 img/s loss 1.0000 (1.0000) lr 0.1\n"; b.String() != want {
		t.Errorf("output %q, want %q", b.String(), want)
	}
}

func TestProgressTTY(t *testing.T) {
	var b bytes.Buffer
	p := &Progress{W: &b, TTY: true, PrintFreq: 1000, Now: fakeClock(40 * time.Millisecond)}
	p.Begin(1, 10, "val")
	for s := 1; s <= 10; s++ {
		p.Step(s, 8, 1, 0.01)
	}
	p.End()
	out := b.String()
	draws := strings.Split(out, "\r")[1:]
	// The first step draws at once, then at most every 100 ms with a 40 ms
	// clock, and the last step always: steps 1, 4, 7, 10.
	if len(draws) != 4 || strings.Count(out, "\n") != 2 {
		t.Fatalf("%d redraws in %q", len(draws), out)
	}
	if want := "epoch 1 val [========>           ] 4/10"; !strings.HasPrefix(draws[1], want) {
		t.Errorf("second draw %q, want prefix %q", draws[1], want)
	}
	if want := "epoch 1 val [====================] 10/10 ETA 0s"; !strings.HasPrefix(draws[3], want) || !strings.Contains(draws[3], "\x1b[K\n") {
		t.Errorf("last draw %q, want prefix %q and a line clear", draws[3], want)
	}
}

func TestIsTerminal(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if IsTerminal(f) || IsTerminal(new(bytes.Buffer)) {
		t.Error("a file or buffer taken for a terminal")
	}
	if NewProgress(f, 0).TTY {
		t.Error("NewProgress chose terminal mode for a file")
	}
}
