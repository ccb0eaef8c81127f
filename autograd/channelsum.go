package autograd

import "sync"

// HostChannelSums returns the ChannelSum of each of devs, for devices
// without a communicator (CPU logical devices, logical devices that share
// a GPU): each call reads the buffer to host memory and waits until every
// device has called; the last to arrive adds the buffers in device order,
// so that every device gets the same bits, and each writes the sum back.
// Each device must be driven by a goroutine of its own.
func HostChannelSums(devs []*Device) []ChannelSum {
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	vals := make([][]float32, len(devs))
	var total []float32 // the last round's sum
	arrived, round := 0, 0
	sums := make([]ChannelSum, len(devs))
	for i, dev := range devs {
		sums[i] = func(buf Buffer) {
			be := dev.Backend()
			v := make([]float32, buf.Len())
			be.ReadFloat32(v, buf)
			mu.Lock()
			vals[i] = v
			if arrived++; arrived == len(devs) {
				total = make([]float32, len(v))
				for _, o := range vals {
					for j := range total {
						total[j] += o[j]
					}
				}
				arrived, round = 0, round+1
				cond.Broadcast()
			} else {
				for r := round; round == r; {
					cond.Wait()
				}
			}
			// No round ends before this device arrives again, so total
			// is still this round's.
			sum := total
			mu.Unlock()
			be.WriteFloat32(buf, sum)
		}
	}
	return sums
}
