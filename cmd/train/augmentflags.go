package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/gocnn/gocnn/data"
	"github.com/gocnn/gocnn/train"
)

// addAugmentFlags defines the augmentation flags of torchvision's
// classification reference on fs, setting a.
func addAugmentFlags(fs *flag.FlagSet, a *train.Augment) {
	fs.StringVar(&a.AutoAugment, "auto-augment", a.AutoAugment,
		"augmentation policy: "+strings.Join(train.AutoAugmentPolicies, ", ")+" (ta_wide: TrivialAugmentWide, ra: RandAugment, imagenet: AutoAugment's ImageNet policy)")
	fs.IntVar(&a.RAMagnitude, "ra-magnitude", a.RAMagnitude, "-auto-augment ra: magnitude bin of 31")
	fs.IntVar(&a.AugmixSeverity, "augmix-severity", a.AugmixSeverity, "-auto-augment augmix: severity, 1 to 10")
	fs.Float64Var(&a.RandomErase, "random-erase", a.RandomErase, "probability of erasing a random rectangle of each training image")
	fs.Var(jitterFlag{&a.ColorJitter}, "color-jitter", "ColorJitter's brightness,contrast,saturation[,hue]; one value sets the first three (0: none)")
	fs.Float64Var(&a.PCALighting, "pca-lighting", a.PCALighting, "standard deviation of AlexNet's PCA lighting noise, e.g. 0.1 (RGB images; 0: none)")
	fs.Var(interpolationFlag{&a.Interpolation}, "interpolation", "resizing: bilinear, bicubic or nearest")
}

// interpolationFlag reads -interpolation.
type interpolationFlag struct{ mode *data.Interpolation }

func (f interpolationFlag) String() string {
	if f.mode == nil {
		return ""
	}
	return f.mode.String()
}

func (f interpolationFlag) Set(s string) (err error) {
	*f.mode, err = data.ParseInterpolation(s)
	return err
}

// jitterFlag reads -color-jitter: one value for brightness, contrast and
// saturation alike, or three, or four with hue.
type jitterFlag struct{ v *[4]float64 }

func (f jitterFlag) String() string {
	if f.v == nil || *f.v == [4]float64{} {
		return ""
	}
	s := make([]string, 4)
	for i, x := range f.v {
		s[i] = strconv.FormatFloat(x, 'g', -1, 64)
	}
	return strings.Join(s, ",")
}

func (f jitterFlag) Set(s string) error {
	bad := fmt.Errorf("want one number, or brightness,contrast,saturation[,hue]")
	parts := strings.Split(s, ",")
	if n := len(parts); n != 1 && n != 3 && n != 4 {
		return bad
	}
	var v [4]float64
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return bad
		}
		v[i] = x
	}
	if len(parts) == 1 {
		v = [4]float64{v[0], v[0], v[0], 0}
	}
	*f.v = v
	return nil
}
