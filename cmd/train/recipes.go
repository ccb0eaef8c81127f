package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
)

// recipe is a published training recipe, written as the flags that
// follow it. -recipe NAME puts them before the command line's, so that
// every flag given explicitly overrides the recipe's.
type recipe struct {
	name   string
	source string // where it was published
	flags  string // as on the command line
	// note says how to run it and what, if anything, differs from the
	// publication.
	note string
}

// eightGPUs is the note of the recipes published for 8 GPUs: -batch is per
// device and -lr for the whole batch, as torchvision's.
const eightGPUs = "published on 8 GPUs (-gpus 0,...,7, or several processes): -batch is per device and -lr is for the whole batch; on N devices add -accum-steps 8/N to keep the batch, or scale -lr by N/8"

// recipes are the published recipes of the model families, torchvision's
// reference commands (references/classification/README.md and the blog
// post of its 2021 recipe) and the papers' own where torchvision has none.
var recipes = []recipe{
	{"resnet50-torchvision", "torchvision references/classification, ResNet",
		"-model resnet50 -dataset folder -epochs 90 -batch 32 -opt sgd -lr 0.1 -momentum 0.9 -wd 0.0001 -lr-scheduler steplr -lr-step-size 30 -lr-gamma 0.1",
		eightGPUs},
	{"resnet50-torchvision-v2", "torchvision's 2021 recipe (Vryniotis, How to train state-of-the-art models using TorchVision's latest primitives): 80.86% top-1",
		"-model resnet50 -dataset folder -epochs 600 -batch 128 -opt sgd -lr 0.5 -momentum 0.9 -wd 0.00002 -norm-weight-decay 0 -lr-scheduler cosineannealinglr -lr-warmup-epochs 5 -lr-warmup-method linear -lr-warmup-decay 0.01 -label-smoothing 0.1 -mixup-alpha 0.2 -cutmix-alpha 1.0 -auto-augment ta_wide -random-erase 0.1 -train-crop-size 176 -val-resize-size 232 -model-ema -model-ema-steps 32 -model-ema-decay 0.99998",
		eightGPUs + "; torchvision also repeats each image 4 times per epoch (--ra-sampler --ra-reps 4), which gocnn does not have"},
	{"resnext50_32x4d-torchvision", "torchvision references/classification, ResNeXt",
		"-model resnext50_32x4d -dataset folder -epochs 100 -batch 32 -opt sgd -lr 0.1 -momentum 0.9 -wd 0.0001 -lr-scheduler steplr -lr-step-size 30 -lr-gamma 0.1",
		eightGPUs},
	{"alexnet-torchvision", "torchvision references/classification, AlexNet and VGG",
		"-model alexnet -dataset folder -epochs 90 -batch 32 -opt sgd -lr 0.01 -momentum 0.9 -wd 0.0001 -lr-scheduler steplr -lr-step-size 30 -lr-gamma 0.1",
		eightGPUs},
	{"vgg16-torchvision", "torchvision references/classification, AlexNet and VGG",
		"-model vgg16 -dataset folder -epochs 90 -batch 32 -opt sgd -lr 0.01 -momentum 0.9 -wd 0.0001 -lr-scheduler steplr -lr-step-size 30 -lr-gamma 0.1",
		eightGPUs},
	{"mobilenet_v2-torchvision", "torchvision references/classification, MobileNetV2",
		"-model mobilenet_v2 -dataset folder -epochs 300 -batch 32 -opt sgd -lr 0.045 -momentum 0.9 -wd 0.00004 -lr-scheduler steplr -lr-step-size 1 -lr-gamma 0.98",
		eightGPUs},
	{"mobilenet_v3_large-torchvision", "torchvision references/classification, MobileNetV3",
		"-model mobilenet_v3_large -dataset folder -epochs 600 -batch 128 -opt rmsprop -lr 0.064 -momentum 0.9 -wd 0.00001 -lr-scheduler steplr -lr-step-size 2 -lr-gamma 0.973 -auto-augment imagenet -random-erase 0.2",
		eightGPUs},
	{"mobilenet_v3_small-torchvision", "torchvision references/classification, MobileNetV3",
		"-model mobilenet_v3_small -dataset folder -epochs 600 -batch 128 -opt rmsprop -lr 0.064 -momentum 0.9 -wd 0.00001 -lr-scheduler steplr -lr-step-size 2 -lr-gamma 0.973 -auto-augment imagenet -random-erase 0.2",
		eightGPUs},
	{"densenet121-huang2017", "Huang et al. 2017, Densely Connected Convolutional Networks, section 4.2 (ImageNet)",
		"-model densenet121 -dataset folder -epochs 90 -batch 256 -opt sgd_nesterov -lr 0.1 -momentum 0.9 -wd 0.0001 -lr-scheduler multisteplr -lr-milestones 30,60 -lr-gamma 0.1",
		"a batch of 256 in all: -batch is per device, so on N devices give -batch 256/N"},
	{"inception_v3-szegedy2016", "Szegedy et al. 2016, Rethinking the Inception Architecture, section 8",
		"-model inception_v3 -aux-logits -dataset folder -epochs 100 -batch 32 -opt rmsprop -lr 0.045 -lr-scheduler steplr -lr-step-size 2 -lr-gamma 0.94 -clip-grad-norm 2 -label-smoothing 0.1 -train-crop-size 299 -val-resize-size 342 -val-crop-size 299",
		"the paper trained 50 replicas of batch 32 and RMSProp with epsilon 1.0; gocnn's rmsprop takes torchvision's (alpha 0.9, epsilon 0.0316); the auxiliary classifier's loss weight 0.4 is TF-slim's, the paper gives none"},
	{"alexnet2012-krizhevsky2012", "Krizhevsky et al. 2012, ImageNet Classification with Deep Convolutional Neural Networks, section 5",
		"-model alexnet2012 -dataset folder -epochs 90 -batch 128 -opt sgd -lr 0.01 -momentum 0.9 -wd 0.0005 -lr-scheduler steplr -lr-step-size 25 -lr-gamma 0.1 -pca-lighting 0.1",
		"the paper divided the learning rate by 10 three times when the validation error stopped improving; here at epochs 25, 50 and 75. Add -gpus 0,1 -split for the paper's two-GPU towers"},
	{"resnet20-he2016", "He et al. 2016, Deep Residual Learning for Image Recognition, section 4.2 (CIFAR-10)",
		"-model resnet20 -dataset cifar10 -epochs 164 -batch 128 -opt sgd -lr 0.1 -momentum 0.9 -wd 0.0001 -lr-scheduler multisteplr -lr-milestones 82,123 -lr-gamma 0.1",
		"64k iterations of batch 128 with the rate divided by 10 at 32k and 48k: epochs 164, 82 and 123 of 391 steps"},
	{"resnet56-he2016", "He et al. 2016, Deep Residual Learning for Image Recognition, section 4.2 (CIFAR-10)",
		"-model resnet56 -dataset cifar10 -epochs 164 -batch 128 -opt sgd -lr 0.1 -momentum 0.9 -wd 0.0001 -lr-scheduler multisteplr -lr-milestones 82,123 -lr-gamma 0.1",
		"as resnet20-he2016"},
	{"resnet110-he2016", "He et al. 2016, Deep Residual Learning for Image Recognition, section 4.2 (CIFAR-10)",
		"-model resnet110 -dataset cifar10 -epochs 164 -batch 128 -opt sgd -lr 0.1 -momentum 0.9 -wd 0.0001 -lr-scheduler multisteplr -lr-milestones 81,122 -lr-gamma 0.1 -lr-warmup-epochs 1 -lr-warmup-method constant -lr-warmup-decay 0.1",
		"as resnet20-he2016, with the paper's warm-up at 0.01 until the training error is under 80% (about 400 iterations): here the first epoch; the milestones count from the end of the warm-up, as torchvision's, so 81,122 decay at epochs 82 and 123"},
}

// lookupRecipe returns the recipe called name, or an error listing them.
func lookupRecipe(name string) (recipe, error) {
	i := slices.IndexFunc(recipes, func(r recipe) bool { return r.name == name })
	if i < 0 {
		names := make([]string, len(recipes))
		for i, r := range recipes {
			names[i] = r.name
		}
		return recipe{}, fmt.Errorf("-recipe %q: want one of %s (train -recipes describes them)", name, strings.Join(names, ", "))
	}
	return recipes[i], nil
}

// listRecipes writes each recipe: its name, source, flags and note.
func listRecipes(out io.Writer) error {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, r := range recipes {
		fmt.Fprintf(tw, "%s\t%s\n\tflags: %s\n\tnote: %s\n", r.name, r.source, r.flags, r.note)
	}
	return tw.Flush()
}
