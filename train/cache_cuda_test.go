//go:build cuda

package train

import "testing"

// TestCacheDatasetOnGPU checks that -cache-dataset on a GPU, where the
// batches are uint8 and the validation images are cached resized and
// cropped, trains and evaluates to the same bits as without it.
func TestCacheDatasetOnGPU(t *testing.T) {
	plain := folderConfig(t, imageFolder(t, 2)).DatasetDefaults()
	plain.GPUs, plain.Epochs = []int{0}, 2
	plain.ValResizeSize, plain.ValCropSize = 36, 32
	run(t, plain)
	sameRunCached(t, plain, "-cache-dataset: keeping validation images resized and cropped")
}
