package autograd

// splitmix64 is the finaliser of Steele et al.'s SplitMix64 generator: a
// bijective, well-mixed hash of a 64-bit counter.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// DropoutUniform returns the uniform draw in [0, 1) that element i of the
// mask keyed by seed uses: 24 high bits of splitmix64(seed + i). Every
// backend's DropoutMask must reproduce it exactly, so a model drops the same
// units on every device.
func DropoutUniform(seed uint64, i int) float32 {
	return float32(splitmix64(seed+uint64(i))>>40) / (1 << 24)
}
