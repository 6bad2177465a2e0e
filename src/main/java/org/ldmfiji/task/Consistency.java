package org.ldmfiji.task;

import org.ldmfiji.image.FloatPlanes;

/**
 * Consistency of a super-resolved image with its input: back-projection in pixel space after decoding (Irani &amp;
 * Peleg 1991, one step with the replicating upsampler). With A the f × f area average and R the f × f replication,
 * x ← x + R(y − A(x)). Since A(R(r)) = r, afterwards A(x) = y up to float rounding, and since R = f²·Aᵀ, this is the
 * orthogonal projection of x onto {x : A(x) = y}: the smallest change that makes the image consistent, which never
 * moves it further from any image consistent with y, the true one included. Python twin: {@code
 * models/evaluate.py: back_project}, which scores it.
 */
public final class Consistency {

	private Consistency() {}

	/** Back-projects {@code high} (C × fH × fW) onto {@code low} (C × H × W), in place. */
	public static void enforce(FloatPlanes high, FloatPlanes low, int f) {
		FloatPlanes residual = residual(high, low, f);
		for (int c = 0; c < high.channels(); c++)
			for (int y = 0; y < high.height(); y++)
				for (int x = 0; x < high.width(); x++)
					high.set(c, y, x, high.get(c, y, x) + residual.get(c, y / f, x / f));
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
}
