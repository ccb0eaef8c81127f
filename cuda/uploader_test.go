//go:build cuda

package cuda

import (
	"slices"
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

// panics reports whether f panics.
func panics(f func()) (did bool) {
	defer func() { did = recover() != nil }()
	f()
	return false
}

// TestUploader puts and takes batches through both slots, the last one
// short, and checks what arrives on the device, that Put and Take never
// block the host, and that misuse panics.
func TestUploader(t *testing.T) {
	up, err := gpu.NewUploader(6, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := up.Close(); err != nil {
			t.Error(err)
		}
	}()
	batches := []struct {
		pix  []uint8
		labs []int32
	}{
		{[]uint8{1, 2, 3, 4, 5, 6}, []int32{7, 8}},
		{[]uint8{10, 20, 30, 40, 50, 60}, []int32{70, 80}},
		{[]uint8{255, 0, 128}, []int32{-1}},
	}
	scale, shift := gpu.Alloc(autograd.Float32, 1), gpu.Alloc(autograd.Float32, 1)
	gpu.Fill(scale, 2)
	gpu.Fill(shift, -1)
	gpu.Synchronize()
	ResetStandIn()
	before := gpu.Activity()
	// Each Take converts the pixels and copies the labels into buffers of
	// the backend's, read once every batch is through.
	var images, labels []autograd.Buffer
	take := func() {
		up.Take(func(pix, labs autograd.Buffer) {
			y, l := gpu.Alloc(autograd.Float32, pix.Len()), gpu.Alloc(autograd.Int32, labs.Len())
			gpu.PixelsToFloat32(pix.Len(), 1, pix, scale, shift, y)
			gpu.Copy(l, labs)
			images, labels = append(images, y), append(labels, l)
		})
	}
	up.Put(batches[0].pix, batches[0].labs)
	up.Put(batches[1].pix, batches[1].labs)
	if !panics(func() { up.Put(batches[2].pix, batches[2].labs) }) {
		t.Error("a third Put with two batches waiting did not panic")
	}
	take()
	// As a training step reads its loss: the copy of batch 0 is done, so
	// refilling its slot does not wait.
	gpu.Synchronize()
	up.Put(batches[2].pix, batches[2].labs)
	take()
	take()
	if !panics(take) {
		t.Error("Take with no batch waiting did not panic")
	}
	if gpu.debug {
		t.Log("GOCNN_CUDA_DEBUG waits after every launch: host syncs not checked")
	} else if syncs := gpu.Activity().Syncs - before.Syncs; syncs != 1 {
		t.Errorf("%d host syncs, want 1 (the Synchronize): Put or Take blocked the host", syncs)
	}
	for i, b := range batches {
		want := make([]float32, len(b.pix))
		for j, p := range b.pix {
			want[j] = 2*float32(p) - 1
		}
		got := download(gpu, images[i])
		gotLabels := make([]int32, labels[i].Len())
		gpu.ReadInt32(gotLabels, labels[i])
		if !slices.Equal(got, want) || !slices.Equal(gotLabels, b.labs) {
			t.Errorf("batch %d arrived as %v %v, want %v %v", i, got, gotLabels, want, b.labs)
		}
		gpu.Free(images[i])
		gpu.Free(labels[i])
	}
	gpu.Free(scale)
	gpu.Free(shift)
	if !panics(func() { up.Put(make([]uint8, 7), nil) }) {
		t.Error("a batch larger than the capacity did not panic")
	}
}
