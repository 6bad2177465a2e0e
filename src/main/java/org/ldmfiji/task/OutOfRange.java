package org.ldmfiji.task;

import org.ldmfiji.image.FloatPlanes;

/**
 * The part of a low-resolution input beyond the model's image range, kept out of the model and put back afterwards.
 * A percentile normalisation (16- and 32-bit images: 0.1 / 99.9 %) leaves some values outside [lo, hi] on purpose:
 * hot pixels, cosmic rays, missing-data blocks at 0 in an astronomy frame. A denoiser trained on [lo, hi] has never
 * seen such values as its condition; given them, it spreads them into wrong structure around them (on a 32-bit EIT
 * frame with a 4 × 4 block of zeros among values near 900, at −5 in the model's units: 2.3 dB below bicubic, nearly
 * all of it within 16 px of that block). So the input is split, y = clamp(y) + e, the model super-resolves clamp(y),
 * and e is added back replicated over each f × f block, x ← x + R e. The result reproduces y exactly under the area
 * average A (A R = I), and R e is the least-squares (posterior-mean) estimate of an excess whose position inside its
 * block is unknown and independent of its neighbours', as for an impulse: spreading it smoothly into the neighbouring
 * blocks, as the consistency step would, puts it where it is not. Values inside the range are untouched (8-bit and
 * RGB images, normalised by their fixed range, never have an excess).
 */
final class OutOfRange {

	/** clamp(y) into the range, what the model sees. */
	final FloatPlanes inRange;
	/** y − clamp(y): zero except at the values beyond the range; null when there are none. */
	private final FloatPlanes excess;

	private OutOfRange(FloatPlanes inRange, FloatPlanes excess) {
		this.inRange = inRange;
		this.excess = excess;
	}

	/** Splits {@code low} (C × H × W) at {@code range} = [lo, hi]; {@code low} is not modified. */
	static OutOfRange split(FloatPlanes low, double[] range) {
		float[] d = low.data();
		boolean any = false;
		for (float v : d) any |= v < range[0] || v > range[1];
		if (!any) return new OutOfRange(low, null);
		FloatPlanes in = low.copy(), e = FloatPlanes.zeros(low.channels(), low.height(), low.width());
		float[] ind = in.data(), ed = e.data();
		for (int i = 0; i < d.length; i++) {
			ind[i] = (float) Math.max(range[0], Math.min(range[1], d[i]));
			ed[i] = d[i] - ind[i];
		}
		return new OutOfRange(in, e);
	}

	/** e, one value per input pixel, or null when the input has none beyond the range. */
	FloatPlanes excess() {
		return excess;
	}

	/** x ← x + R e: each block of {@code high} (C × fH × fW) gets its input pixel's excess, in place. */
	void addExcess(FloatPlanes high, int f) {
		if (excess == null) return;
		int w = high.width(), h = high.height(), lw = excess.width();
		if (w != lw * f || h != excess.height() * f || high.channels() != excess.channels())
			throw new IllegalArgumentException("the result is " + high.channels() + "x" + h + "x" + w + " but the input "
				+ excess.channels() + "x" + excess.height() + "x" + lw + " times " + f + ": they must match");
		float[] x = high.data(), e = excess.data();
		for (int c = 0; c < high.channels(); c++)
			for (int y = 0; y < h; y++)
				for (int i = 0; i < w; i++) x[(c * h + y) * w + i] += e[(c * (h / f) + y / f) * lw + i / f];
	}
}
