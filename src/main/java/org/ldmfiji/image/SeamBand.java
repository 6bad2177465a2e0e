package org.ldmfiji.image;

/**
 * Blends a fill's low frequencies toward a smooth guess in a band along the border of its mask:
 * <pre>
 *   out = c − ramp(d) · G_σ ∗ (c − g),   ramp(d) = clip(1 − (d − 1) / w, 0, 1) on the masked pixels, 0 elsewhere
 * </pre>
 * with c the fill, g the guess (the harmonic continuation of the known pixels), d the Euclidean distance to the
 * nearest known pixel and G_σ a Gaussian ({@link GaussianBlur}). A seam correction makes the fill meet the known pixels
 * at the border, but keeps the fill's own gradients there, so a fill that departs from its surroundings within its
 * first pixels still shows a jump one pixel in. The blend takes that departure's smooth part out next to the border
 * (fully at d = 1, linearly less to nothing at d = w + 1) and leaves the fill's fine texture, and everything deeper
 * inside, as it is. Python twin: {@code models/ldm_models/harmonic.py: band_blend}.
 */
public final class SeamBand {

	/** Band width w in pixels. Chosen before any measurement, not tuned (models/README.md, session 6). */
	public static final double WIDTH = 4;
	/** σ of the Gaussian in pixels, chosen with {@link #WIDTH}. */
	public static final double SIGMA = 2;

	private final float[] ramp;
	private final int w, h;

	/** The band of the mask {@code unknown} (w·h row-major, true on the fill). */
	public SeamBand(boolean[] unknown, int w, int h) {
		this.w = w;
		this.h = h;
		float[] d = DistanceTransform.toKnown(unknown, w, h);
		ramp = new float[w * h];
		for (int i = 0; i < ramp.length; i++)
			if (unknown[i]) ramp[i] = (float) Math.max(0, Math.min(1, 1 - (d[i] - 1) / WIDTH));
	}

	/** The weight ramp(d) of each pixel, w·h row-major. */
	float[] ramp() {
		return ramp.clone();
	}

	/** Applies the blend to every channel of {@code fill}, in place; {@code guess} has the fill's size. */
	public void apply(FloatPlanes fill, FloatPlanes guess) {
		fill.requireSameSize(guess);
		if (fill.width() != w || fill.height() != h) throw new IllegalArgumentException("the fill is " + fill.width()
			+ "x" + fill.height() + " but the band's mask " + w + "x" + h);
		int n = w * h;
		float[] fs = fill.data(), gs = guess.data(), diff = new float[n];
		for (int c = 0; c < fill.channels(); c++) {
			for (int i = 0; i < n; i++) diff[i] = fs[c * n + i] - gs[c * n + i];
			float[] low = GaussianBlur.blur(diff, w, h, SIGMA);
			for (int i = 0; i < n; i++) if (ramp[i] > 0) fs[c * n + i] -= ramp[i] * low[i];
		}
	}
}
