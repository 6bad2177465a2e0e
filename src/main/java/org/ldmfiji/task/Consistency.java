package org.ldmfiji.task;

import org.ldmfiji.image.FloatPlanes;

/**
 * Consistency of a super-resolved image with its input: iterative back-projection (Irani &amp; Peleg 1991) in pixel
 * space after decoding. With A the f × f area average, each round adds the upsampled residual, x ← x + U(y − A(x));
 * the rounds use bilinear U (smooth), the last uses the f × f replication R, for which A(R(r)) = r, so that
 * A(x) = y holds exactly up to float rounding.
 */
public final class Consistency {

	private static final int SMOOTH_ROUNDS = 8;

	private Consistency() {}

	/** Back-projects {@code high} (C × fH × fW) onto {@code low} (C × H × W), in place. */
	public static void enforce(FloatPlanes high, FloatPlanes low, int f) {
		for (int round = 0; round <= SMOOTH_ROUNDS; round++) {
			FloatPlanes residual = residual(high, low, f);
			boolean last = round == SMOOTH_ROUNDS;
			for (int c = 0; c < high.channels(); c++)
				for (int y = 0; y < high.height(); y++)
					for (int x = 0; x < high.width(); x++) {
						float r = last ? residual.get(c, y / f, x / f) : bilinear(residual, c, y, x, f);
						high.set(c, y, x, high.get(c, y, x) + r);
					}
		}
	}

	/** y − A(x), with A the f × f area average. */
	static FloatPlanes residual(FloatPlanes high, FloatPlanes low, int f) {
		FloatPlanes r = areaDownsample(high, f);
		for (int c = 0; c < low.channels(); c++)
			for (int y = 0; y < low.height(); y++)
				for (int x = 0; x < low.width(); x++) r.set(c, y, x, low.get(c, y, x) - r.get(c, y, x));
		return r;
	}

	/** The f × f area average (what "area-downsampled by f" means throughout this project). */
	public static FloatPlanes areaDownsample(FloatPlanes high, int f) {
		int h = high.height() / f, w = high.width() / f;
		FloatPlanes out = FloatPlanes.zeros(high.channels(), h, w);
		for (int c = 0; c < high.channels(); c++)
			for (int y = 0; y < h; y++)
				for (int x = 0; x < w; x++) {
					double sum = 0;
					for (int j = 0; j < f; j++)
						for (int i = 0; i < f; i++) sum += high.get(c, y * f + j, x * f + i);
					out.set(c, y, x, (float) (sum / (f * f)));
				}
		return out;
	}

	/** Bilinear interpolation of the low-resolution plane at high-resolution pixel (x, y), pixel centres aligned. */
	private static float bilinear(FloatPlanes low, int c, int y, int x, int f) {
		double sy = clamp((y + 0.5) / f - 0.5, low.height() - 1), sx = clamp((x + 0.5) / f - 0.5, low.width() - 1);
		int y0 = (int) sy, x0 = (int) sx;
		int y1 = Math.min(y0 + 1, low.height() - 1), x1 = Math.min(x0 + 1, low.width() - 1);
		double ty = sy - y0, tx = sx - x0;
		double top = low.get(c, y0, x0) * (1 - tx) + low.get(c, y0, x1) * tx;
		double bottom = low.get(c, y1, x0) * (1 - tx) + low.get(c, y1, x1) * tx;
		return (float) (top * (1 - ty) + bottom * ty);
	}

	private static double clamp(double v, int max) {
		return Math.max(0, Math.min(max, v));
	}
}
