// Package nn builds networks from layers. A Module maps an NHWC activation to
// another; it owns named parameters (the tensors an optimizer updates) and
// named buffers (batch-norm running statistics), named as torchvision names
// them ("layer1.0.conv1.weight"), so checkpoints map one-to-one onto
// PyTorch's state dicts.
//
// Layers are created by a Builder, which puts every parameter on one device
// and draws initial values from a seeded generator: two models built from
// the same seed are bit-identical, as data-parallel replicas and exact resume
// require. Weight layouts follow autograd: convolution filters KRSC, linear
// weights (out, in).
package nn
