package org.ldmfiji.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * a·x + b·y, the one tensor expression every sampler update is made of. The scalars are made on the device with
 * {@code full} rather than through DJL's {@code mul(Number)}, which copies each one from a fresh direct buffer:
 * in a sampling loop on the CPU that copy cost about as much as the multiplication (see {@code ./ldm bench}).
 */
final class WeightedSum {

	private WeightedSum() {}

	/** a·x + b·y, attached to the manager of x; a coefficient of exactly 1 costs no multiplication. */
	static NDArray of(double a, NDArray x, double b, NDArray y) {
		return times(a, x).add(times(b, y));
	}

	/** a·x, attached to the manager of x (x itself when a is exactly 1). */
	static NDArray times(double a, NDArray x) {
		if (a == 1) return x;
		try (NDArray s = x.getManager().full(new Shape(), (float) a, x.getDataType(), x.getDevice())) {
			return x.mul(s);
		}
	}
}
