// Package rgbsimd holds the AVX2/FMA kernels of the data loader's
// separable resampler for RGB images (package data): widening a row of
// bytes to float32, the horizontal filter and the vertical filter with the
// normalisation. They live apart from package data because a package that
// uses cgo (data with -tags libjpeg) cannot hold Go assembly.
//
// Enabled reports whether the kernels can run (amd64 with AVX2 and FMA);
// elsewhere the functions exist but panic, and package data keeps to its
// pure-Go passes.
package rgbsimd
