// Package data loads training data for gocnn: image-folder, Pascal VOC and
// image/mask segmentation datasets, CIFAR binary and MNIST idx files, seeded
// augmentations, and a parallel Loader that turns any Dataset into batches
// of gorgonia.org/tensor Dense values (NHWC float32 images, int32 labels or
// masks).
//
// A Dataset only decodes: Load returns the i-th example as 8-bit pixels.
// Transforms never touch pixels; each one edits a View (a box of the source
// image, an output size, a mirror flag, a normalisation), and the Loader
// resamples every example exactly once, straight into its slot of the batch.
// Masks follow the same View with nearest-neighbour sampling, so image and
// mask stay aligned whatever the augmentation.
//
// Pixel transforms (ColorJitter, AutoAugment, RandAugment,
// TrivialAugmentWide, AugMix, Lighting, RandomErasing) draw their random
// parameters into the View's pixel stage too; the Loader carries it out on
// the resampled 8-bit image, with torchvision's uint8 semantics, before
// normalising it. Their draws come from the same seeded generator, so they
// too depend only on the seed, the epoch and the example index.
//
// Bad input (a corrupt image, a missing folder, a mask of the wrong size) is
// a returned error naming the file, never a panic; with
// LoaderConfig.SkipBad the Loader drops such examples and counts them.
package data
