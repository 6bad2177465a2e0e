package org.ldmfiji.task;

import org.ldmfiji.image.FloatPlanes;

/** The baseline that super-resolution must beat. */
final class Bicubic {

	private Bicubic() {
	}

	/**
	 * Bicubic f× upsampling as PyTorch's interpolate (align_corners false, the baseline of evaluate_real.py): Keys's
	 * cubic convolution with a = −0.75 at the source position (X + ½)/f − ½, edge pixels repeated.
	 */
	static FloatPlanes upsample(FloatPlanes low, int f) {
		int w = low.width(), h = low.height();
		FloatPlanes rows = FloatPlanes.zeros(1, h, w * f), out = FloatPlanes.zeros(1, h * f, w * f);
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w * f; x++) {
				double u = (x + 0.5) / f - 0.5, s = 0;
				int i0 = (int) Math.floor(u);
				for (int k = -1; k <= 2; k++) s += keys(u - (i0 + k)) * low.get(0, y, Math.max(0, Math.min(w - 1, i0 + k)));
				rows.set(0, y, x, (float) s);
			}
		for (int y = 0; y < h * f; y++)
			for (int x = 0; x < w * f; x++) {
				double u = (y + 0.5) / f - 0.5, s = 0;
				int i0 = (int) Math.floor(u);
				for (int k = -1; k <= 2; k++) s += keys(u - (i0 + k)) * rows.get(0, Math.max(0, Math.min(h - 1, i0 + k)), x);
				out.set(0, y, x, (float) s);
			}
		return out;
	}

	private static double keys(double t) {
		double a = -0.75, x = Math.abs(t);
		if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
		if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
		return 0;
	}
}
