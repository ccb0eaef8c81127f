package train

import (
	"fmt"
	"slices"

	"github.com/gocnn/gocnn/data"
)

// Augment is the training augmentation beyond the dataset's crop and flip,
// set by the flags of torchvision's classification reference. Its zero
// value adds nothing and resizes bilinearly; DefaultAugment holds the
// flags' defaults.
type Augment struct {
	// AutoAugment is the policy of -auto-augment: none, ta_wide
	// (TrivialAugmentWide), ra (RandAugment), augmix or imagenet
	// (AutoAugment's ImageNet policy).
	AutoAugment string
	// RAMagnitude is RandAugment's magnitude bin of 31 (-ra-magnitude).
	RAMagnitude int
	// AugmixSeverity is AugMix's severity, 1 to 10 (-augmix-severity).
	AugmixSeverity int
	// RandomErase is the probability of RandomErasing (-random-erase).
	RandomErase float64
	// ColorJitter is ColorJitter's brightness, contrast, saturation and
	// hue (-color-jitter); zeros leave the colours alone.
	ColorJitter [4]float64
	// PCALighting is the standard deviation of AlexNet's PCA lighting
	// noise (-pca-lighting, 0.1 in the paper); 0 adds none.
	PCALighting float64
	// Interpolation resizes the training crops and validation images
	// (-interpolation) and warps the policies' images (nearest, or
	// bilinear for the others).
	Interpolation data.Interpolation
}

// DefaultAugment returns the flags' defaults: no policy, RandAugment at
// magnitude 9 and AugMix at severity 3 when chosen, bilinear resizing.
func DefaultAugment() Augment {
	return Augment{AutoAugment: "none", RAMagnitude: 9, AugmixSeverity: 3}
}

// AutoAugmentPolicies are the names -auto-augment takes, torchvision's.
var AutoAugmentPolicies = []string{"none", "ta_wide", "ra", "augmix", "imagenet"}

// validate checks the flags (the policies' own only when chosen);
// segmentation refuses the policies, which would move the image's pixels
// but not the mask's, and erasing.
func (a Augment) validate(segmentation bool) error {
	j := a.ColorJitter
	switch {
	case a.AutoAugment != "" && !slices.Contains(AutoAugmentPolicies, a.AutoAugment):
		return fmt.Errorf("-auto-augment %q: want one of %v", a.AutoAugment, AutoAugmentPolicies)
	case a.AutoAugment == "ra" && (a.RAMagnitude < 0 || a.RAMagnitude > 30):
		return fmt.Errorf("-ra-magnitude %d: must be a bin in [0, 30]", a.RAMagnitude)
	case a.AutoAugment == "augmix" && (a.AugmixSeverity < 1 || a.AugmixSeverity > 10):
		return fmt.Errorf("-augmix-severity %d: must be in [1, 10]", a.AugmixSeverity)
	case !(a.RandomErase >= 0 && a.RandomErase <= 1):
		return fmt.Errorf("-random-erase %v: must be a probability in [0, 1]", a.RandomErase)
	case !(a.PCALighting >= 0):
		return fmt.Errorf("-pca-lighting %v: must not be negative", a.PCALighting)
	case !(j[0] >= 0 && j[1] >= 0 && j[2] >= 0 && j[3] >= 0 && j[3] <= 0.5):
		return fmt.Errorf("-color-jitter %v: brightness, contrast and saturation must not be negative, hue must be in [0, 0.5]", j)
	case segmentation && a.policy() != nil:
		return fmt.Errorf("-auto-augment %s: segmentation masks would not follow the image's warps; the policies are for classification", a.AutoAugment)
	case segmentation && a.RandomErase > 0:
		return fmt.Errorf("-random-erase %v: for classification only, as torchvision's reference", a.RandomErase)
	}
	return nil
}

// policy returns the -auto-augment transform, or nil.
func (a Augment) policy() data.Transform {
	switch a.AutoAugment {
	case "ta_wide":
		return data.TrivialAugmentWide{Interpolation: a.Interpolation}
	case "ra":
		return data.RandAugment{Magnitude: a.RAMagnitude, Interpolation: a.Interpolation}
	case "augmix":
		return data.AugMix{Severity: a.AugmixSeverity, Interpolation: a.Interpolation}
	case "imagenet":
		return data.AutoAugment{Interpolation: a.Interpolation}
	}
	return nil
}

// transforms returns the pixel transforms to follow the crop and flip, in
// fb.resnet.torch's order: colour jitter, the policy, lighting, then
// erasing (which the Loader applies after normalisation).
func (a Augment) transforms(channels int) ([]data.Transform, error) {
	var tfm []data.Transform
	if a.ColorJitter != [4]float64{} {
		tfm = append(tfm, data.ColorJitter{Brightness: a.ColorJitter[0], Contrast: a.ColorJitter[1],
			Saturation: a.ColorJitter[2], Hue: a.ColorJitter[3]})
	}
	if p := a.policy(); p != nil {
		tfm = append(tfm, p)
	}
	if a.PCALighting > 0 {
		if channels != 3 {
			return nil, fmt.Errorf("-pca-lighting %v: AlexNet's lighting noise is for RGB images, and these have %d channel(s)", a.PCALighting, channels)
		}
		tfm = append(tfm, data.Lighting{AlphaStd: a.PCALighting})
	}
	if a.RandomErase > 0 {
		tfm = append(tfm, data.RandomErasing{P: a.RandomErase})
	}
	return tfm, nil
}

// isSegmentation reports whether the run labels pixels: the -dataset's
// kind, or Segmentation for TrainSet.
func (c *Config) isSegmentation() bool {
	if c.TrainSet != nil {
		return c.Segmentation
	}
	return datasetSpecs[c.Dataset].segmentation
}
