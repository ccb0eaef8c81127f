package train

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gocnn/gocnn/data"
	"github.com/gocnn/gocnn/data/embedded"
)

// datasetSpec says how to open a -dataset and prepare its images: the
// transforms torchvision's reference scripts use for its kind, at sizes
// that suit its images.
type datasetSpec struct {
	open         func(root string) (train, val data.Dataset, err error)
	needsRoot    bool
	segmentation bool
	channels     int
	mean, std    []float32
	// Default sizes; a crop of 0 keeps the image's size.
	trainCrop, valResize, valCrop int
	// small: pad-and-crop augmentation (CIFAR style) instead of a random
	// resized crop.
	small bool
	// limit is the default -limit: the examples of each split used.
	limit int
	// recipe is how to train on it; nil takes defaultRecipe.
	recipe *recipe
}

// recipe is the training defaults of a dataset: what -epochs, -batch,
// -opt, -lr, -lr-scheduler and -lr-milestones mean when left at zero.
type recipe struct {
	epochs, batch int
	opt           string
	lr            float64
	scheduler     string
	milestones    []int
}

var (
	// defaultRecipe trains the CIFAR-style ResNets on the embedded sample
	// in a minute on two cores.
	defaultRecipe = &recipe{epochs: 3, batch: 32, opt: "sgd", lr: 0.05, scheduler: "cosineannealinglr"}
	// cifarRecipe is He et al. 2016's for the CIFAR ResNets (section 4.2):
	// 64k iterations of 128 images, the learning rate divided by 10 at 32k
	// and 48k.
	cifarRecipe = &recipe{epochs: 164, batch: 128, opt: "sgd", lr: 0.1, scheduler: "multisteplr", milestones: []int{82, 123}}
	// imagenetRecipe is torchvision's classification reference default:
	// 90 epochs, the rate divided by 10 every 30 (-lr-step-size, -lr-gamma).
	imagenetRecipe = &recipe{epochs: 90, batch: 32, opt: "sgd", lr: 0.1, scheduler: "steplr"}
	// segmentationRecipe is torchvision's segmentation reference default:
	// 30 epochs, a polynomial decay of power 0.9 (-lr-power) per step.
	segmentationRecipe = &recipe{epochs: 30, batch: 8, opt: "sgd", lr: 0.01, scheduler: "polynomiallr"}
)

// Fashion-MNIST's and MNIST's pixel statistics, and CIFAR's (per channel,
// as the CIFAR ResNet recipes normalise).
var (
	fashionMean, fashionStd = []float32{0.2860}, []float32{0.3530}
	mnistMean, mnistStd     = []float32{0.1307}, []float32{0.3081}
	cifarMean, cifarStd     = []float32{0.4914, 0.4822, 0.4465}, []float32{0.2470, 0.2435, 0.2616}
)

var datasetSpecs = map[string]datasetSpec{
	"builtin": {open: splits(embedded.FashionMNIST), channels: 1, mean: fashionMean, std: fashionStd,
		trainCrop: 28, small: true},
	// U-Net halves the map four times, so 28x28 images are padded to 32.
	// A U-Net takes fifteen times as long per image as ResNet-20: a part
	// of the sample keeps the default run to minutes on a CPU, and small
	// batches give it enough steps to learn in them. The 2015 U-Net has no
	// batch norm, and SGD barely moves it in that many steps; AdamW at
	// 3e-4 did best of the rates tried (see README, First run).
	"builtin-seg": {open: splits(embedded.FashionMNISTSeg), segmentation: true, channels: 1,
		mean: fashionMean, std: fashionStd, trainCrop: 32, valCrop: 32, small: true, limit: 500,
		recipe: &recipe{epochs: 6, batch: 8, opt: "adamw", lr: 3e-4, scheduler: "cosineannealinglr"}},
	"mnist": {open: mnist(data.MNISTClasses), needsRoot: true, channels: 1, mean: mnistMean, std: mnistStd,
		trainCrop: 28, small: true},
	"fashion-mnist": {open: mnist(data.FashionMNISTClasses), needsRoot: true, channels: 1,
		mean: fashionMean, std: fashionStd, trainCrop: 28, small: true},
	"cifar10": {open: cifar(data.CIFAR10), needsRoot: true, channels: 3, mean: cifarMean, std: cifarStd,
		trainCrop: 32, small: true, recipe: cifarRecipe},
	"cifar100": {open: cifar(data.CIFAR100), needsRoot: true, channels: 3, mean: cifarMean, std: cifarStd,
		trainCrop: 32, small: true, recipe: cifarRecipe},
	"folder": {open: folder, needsRoot: true, channels: 3, trainCrop: 224, valResize: 256, valCrop: 224,
		recipe: imagenetRecipe},
	"voc": {open: voc, needsRoot: true, segmentation: true, channels: 3, trainCrop: 256, valResize: 288,
		valCrop: 256, recipe: segmentationRecipe},
	"masks": {open: masks, needsRoot: true, segmentation: true, channels: 3, trainCrop: 256, valResize: 288,
		valCrop: 256, recipe: segmentationRecipe},
}

// Datasets returns the names -dataset accepts, sorted.
func Datasets() []string {
	var names []string
	for n := range datasetSpecs {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// OpenSplits opens the training and validation splits of the -dataset
// called name, stored in the folder root (unused by the built-in ones),
// without transforms: what train.Run trains and evaluates on.
func OpenSplits(name, root string) (trainSet, valSet data.Dataset, err error) {
	spec, ok := datasetSpecs[name]
	if !ok {
		return nil, nil, fmt.Errorf("-dataset %q: want one of %s", name, strings.Join(Datasets(), ", "))
	}
	if spec.needsRoot && root == "" {
		return nil, nil, fmt.Errorf("-dataset %s needs -data, the folder that holds it", name)
	}
	return spec.open(root)
}

func splits[D data.Dataset](load func(split string) (D, error)) func(string) (data.Dataset, data.Dataset, error) {
	return func(string) (data.Dataset, data.Dataset, error) {
		tr, err := load("train")
		if err != nil {
			return nil, nil, err
		}
		va, err := load("val")
		return tr, va, err
	}
}

func mnist(classes []string) func(string) (data.Dataset, data.Dataset, error) {
	return func(root string) (data.Dataset, data.Dataset, error) {
		return splits(func(s string) (*data.Memory, error) { return data.MNIST(root, s, classes) })(root)
	}
}

func cifar(load func(dir, split string) (*data.Memory, error)) func(string) (data.Dataset, data.Dataset, error) {
	return func(root string) (data.Dataset, data.Dataset, error) {
		return splits(func(s string) (*data.Memory, error) { return load(root, s) })(root)
	}
}

func folder(root string) (data.Dataset, data.Dataset, error) {
	tr, va, err := data.ImageFolderSplits(root, data.FolderOptions{})
	return tr, va, err
}

func voc(root string) (data.Dataset, data.Dataset, error) {
	return splits(func(s string) (*data.Segmentation, error) { return data.NewVOC(root, s) })(root)
}

func masks(root string) (data.Dataset, data.Dataset, error) {
	tr, err := data.NewSegFolder(filepath.Join(root, "train"), nil, 3)
	if err != nil {
		return nil, nil, err
	}
	va, err := data.NewSegFolder(filepath.Join(root, "val"), tr.ClassNames, 3)
	return tr, va, err
}

// imageSizes returns the sizes of the transforms: the training crop, the
// validation resize and crop, each the flag's or else the dataset's.
func (c *Config) imageSizes() (trainCrop, valResize, valCrop int) {
	spec := datasetSpecs[c.Dataset]
	return cmp.Or(c.TrainCropSize, spec.trainCrop), cmp.Or(c.ValResizeSize, spec.valResize), cmp.Or(c.ValCropSize, spec.valCrop)
}

// dataSource is a run's opened data: both splits and how to transform them.
type dataSource struct {
	train, val        data.Dataset
	segmentation      bool
	classes, channels int
	mean, std         []float32
	trainTfm, valTfm  []data.Transform
	// leftOut are the examples whose files -skip-bad left out, and
	// leftOutWhere how many of each split.
	leftOut      []data.BadExample
	leftOutWhere string
}

// openData opens the datasets cfg names (or takes cfg.TrainSet and
// cfg.ValSet) and picks the transforms.
func openData(cfg *Config) (*dataSource, error) {
	if cfg.TrainSet != nil {
		ds := &dataSource{train: cfg.TrainSet, val: cmp.Or[data.Dataset](cfg.ValSet, cfg.TrainSet),
			segmentation: cfg.Segmentation, mean: cfg.Mean, std: cfg.Std}
		return ds.finish(cfg, nil, nil)
	}
	spec := datasetSpecs[cfg.Dataset]
	tr, va, err := OpenSplits(cfg.Dataset, cfg.Data)
	if err != nil {
		return nil, err
	}
	ds := &dataSource{train: tr, val: va, segmentation: spec.segmentation, mean: spec.mean, std: spec.std}
	crop, resize, vcrop := cfg.imageSizes()
	var trainTfm []data.Transform
	if spec.small {
		// Pad-and-crop as the CIFAR recipes: a crop of the image's own
		// size shifts it by up to an eighth of a side.
		trainTfm = []data.Transform{data.RandomCrop{Size: crop, Pad: max(crop/8, 2)}, data.HorizontalFlip{}}
	} else {
		trainTfm = []data.Transform{data.RandomResizedCrop{Size: crop, Interpolation: cfg.Augment.Interpolation}, data.HorizontalFlip{}}
	}
	return ds.finish(cfg, trainTfm, valTransforms(resize, vcrop, cfg.Augment.Interpolation))
}

// ValTransforms returns the transforms train.Run evaluates the -dataset
// called name with, before the normalisation, for a run trained with
// -val-resize-size resize, -val-crop-size crop (0: the dataset's) and
// -interpolation interp: the validation resize and center crop of a
// folder of photographs, nothing for the datasets of small images.
func ValTransforms(name string, resize, crop int, interp data.Interpolation) []data.Transform {
	_, resize, crop = (&Config{Dataset: name, ValResizeSize: resize, ValCropSize: crop}).imageSizes()
	return valTransforms(resize, crop, interp)
}

// valTransforms resizes the shorter side to resize and crops the center
// crop x crop; a size of 0 leaves that step out.
func valTransforms(resize, crop int, interp data.Interpolation) []data.Transform {
	var tfm []data.Transform
	if resize > 0 {
		tfm = append(tfm, data.Resize{Shorter: resize, Interpolation: interp})
	}
	if crop > 0 {
		tfm = append(tfm, data.CenterCrop{W: crop, H: crop})
	}
	return tfm
}

// finish applies -limit, checks the files, counts classes and channels
// and appends the normalisation.
func (ds *dataSource) finish(cfg *Config, trainTfm, valTfm []data.Transform) (*dataSource, error) {
	if cfg.Limit > 0 { // -1: all
		ds.train, ds.val = data.Limit(ds.train, cfg.Limit, cfg.Seed), data.Limit(ds.val, cfg.Limit, cfg.Seed)
	}
	if err := ds.checkFiles(cfg); err != nil {
		return nil, err
	}
	if ds.train.Len() == 0 || ds.val.Len() == 0 {
		return nil, fmt.Errorf("dataset has %d training and %d validation examples; both splits need some", ds.train.Len(), ds.val.Len())
	}
	ds.classes = len(ds.train.Classes())
	ex, err := firstExample(ds.train, cfg.SkipBad)
	if err != nil {
		return nil, err
	}
	ds.channels = ex.Image.C
	if ds.mean == nil {
		ds.mean, ds.std = slices.Repeat([]float32{0.5}, ds.channels), slices.Repeat([]float32{0.25}, ds.channels)
		if ds.channels == 3 {
			ds.mean, ds.std = data.ImageNetMean, data.ImageNetStd
		}
	}
	norm := data.Normalize{Mean: ds.mean, Std: ds.std}
	pixels, err := cfg.Augment.transforms(ds.channels)
	if err != nil {
		return nil, err
	}
	ds.trainTfm = append(append(trainTfm, pixels...), norm)
	ds.valTfm = append(valTfm, norm)
	return ds, nil
}
