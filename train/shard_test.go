//go:build !cuda

package train

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"testing"
)

// TestProcessShards checks the data of training across processes: process
// p of P, feeding its d devices batch k*d+i of its loader, gives device i
// (global rank p*d+i) the batches, examples and augmented pixels, that
// replica p*d+i of one process with P*d devices takes (batch k*P*d+p*d+i
// of the whole order), with as many steps per epoch. It needs no GPU: on
// the CPU build the processes' trainers, on CPU devices, are built
// without a communicator (the cuda build refuses them one: there
// TestTwoProcessesMatchOneProcess checks the whole run).
func TestProcessShards(t *testing.T) {
	for _, c := range []struct{ procs, devices int }{{2, 1}, {2, 2}, {3, 1}} {
		t.Run(fmt.Sprintf("%dx%d", c.procs, c.devices), func(t *testing.T) {
			cfg := randomConfig(t, 61)
			cfg.Batch = 2
			cfg.Devices = c.procs * c.devices
			wantSteps, want := trainBatches(t, cfg, 1)
			for p := range c.procs {
				proc := cfg
				proc.Devices = c.devices
				proc.Dist = DistConfig{WorldSize: c.procs, Rank: p, URL: "tcp://127.0.0.1:1"}
				steps, got := trainBatches(t, proc, 1)
				if steps != wantSteps {
					t.Fatalf("process %d: %d steps per epoch, one process %d", p, steps, wantSteps)
				}
				for k := range steps {
					for i := range c.devices {
						g, w := got[k*c.devices+i], want[k*c.procs*c.devices+p*c.devices+i]
						if !slices.Equal(g.index, w.index) || !slices.Equal(g.pixels, w.pixels) {
							t.Fatalf("process %d step %d device %d: examples %v, want %v", p, k, i, g.index, w.index)
						}
					}
				}
			}
		})
	}
}

type batchSeen struct {
	index  []int
	pixels []float32
}

// trainBatches returns the steps per epoch of cfg's trainer and the
// batches of its training loader's epoch.
func trainBatches(t *testing.T, cfg Config, epoch int) (int, []batchSeen) {
	t.Helper()
	tr, err := newTrainer(&cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.close()
	ep := tr.trainLoader.Epoch(epoch)
	defer ep.Close()
	var seen []batchSeen
	for {
		b, err := ep.Next()
		if errors.Is(err, io.EOF) {
			return tr.stepsPerEpoch, seen
		}
		if err != nil {
			t.Fatal(err)
		}
		pix, _ := b.Images.Data().([]float32)
		if u8, ok := b.Images.Data().([]uint8); ok {
			for _, v := range u8 {
				pix = append(pix, float32(v))
			}
		}
		seen = append(seen, batchSeen{slices.Clone(b.Index), slices.Clone(pix)})
		b.Release()
	}
}
