// Package models holds the model zoo: one file per family, each constructor
// mirroring its paper's table, with torchvision's parameter names and
// initialisation, and a registry (New, All) that maps -model names to
// constructors.
//
// Every constructor takes Options (number of classes, input channels) and a
// Builder that fixes the device and the seed. Classifiers end in global
// average pooling where the paper's do, so small inputs (32x32 CIFAR, 28x28
// Fashion-MNIST) work; AlexNet and VGG keep their adaptive pooling to 6x6 and
// 7x7, which pools a map of any size with PyTorch's bins, as torchvision's
// does.
package models
