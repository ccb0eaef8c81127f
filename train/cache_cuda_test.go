//go:build cuda

package train

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

// TestCacheDatasetOnGPU checks that -cache-dataset on a GPU, where the
// batches are uint8 and the validation images are cached resized and
// cropped, trains and evaluates to the same bits as without it.
func TestCacheDatasetOnGPU(t *testing.T) {
	plain := folderConfig(t, imageFolder(t, 2)).DatasetDefaults()
	plain.GPUs, plain.Epochs = []int{0}, 2
	plain.ValResizeSize, plain.ValCropSize = 36, 32
	run(t, plain)
	cached := plain
	cached.Output, cached.CacheDataset = t.TempDir(), true
	var out strings.Builder
	if err := Run(context.Background(), cached, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "-cache-dataset: keeping validation images resized and cropped") {
		t.Errorf("the run printed\n%s\nwant the validation images cached resized and cropped", out.String())
	}
	sameBits(t, "weights with -cache-dataset", lastCheckpoint(t, cached.Output).Weights, lastCheckpoint(t, plain.Output).Weights)
	if got, want := losses(t, cached.Output), losses(t, plain.Output); !reflect.DeepEqual(got, want) {
		t.Errorf("losses and top-1 %v with -cache-dataset, %v without", got, want)
	}
}
