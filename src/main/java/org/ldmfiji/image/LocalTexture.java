package org.ldmfiji.image;

/**
 * How textured a fill should be where: the surroundings' local level of fine texture, continued into the mask and
 * relative to the ring's (the known pixels within {@link FillTexture#RING} px of the mask, the reference of
 * {@link FillTexture}'s level):
 * <pre>
 *   a(p) = sqrt([G_s ∗ (k · hp(u)²)](p) / [G_s ∗ k](p))   on the known pixels,   hp(u) = u − G_1.5 ∗ u,
 *   w(p) = ā(p) / RMS_ring(hp(u))                          on the masked pixels,
 * </pre>
 * with u the known values (the masked pixels filled harmonically, so that the high-pass sees no hole), k the known
 * pixels' indicator (normalised convolution, Knutsson &amp; Westin 1993), s = {@value #SIGMA} px, and ā the membrane
 * continuation of the local RMS a into the mask ({@link HarmonicFill}). A fill pixel next to a textured stretch of the border
 * gets a weight above 1, one next to a flat stretch a weight below 1; a uniform texture (noise) gives about 1
 * everywhere.
 * <p>
 * Why: the fill's detail is not in phase with the truth's, so it adds to the fill's error, most where the truth is
 * flat (the smooth continuation is close there and any texture is error) and least where the truth is textured. A
 * texture of one level over the whole mask (the ring's average) puts a flat region next to a textured one under the
 * same grain. Chosen on 128² crops of scikit-image's data images (not the evaluation's): at the same texture level
 * (0.8 of the ring's), the MAE of 12 fills 0.136 → 0.131 (continuing the local energy instead of the local RMS: 0.001
 * less gain in an emulation; models/demo/EVALUATION.md, "Inpainting: texture at 0.8 of the surroundings' local
 * level").
 */
public final class LocalTexture {

	/** σ of the Gaussian over which the local level is measured, px. */
	public static final double SIGMA = 3;

	private LocalTexture() {}

	/**
	 * @param known one channel, w·h row-major; its masked pixels are not read
	 * @param mask w·h row-major, true on the fill
	 * @return w·h: the weight w(p) on the masked pixels, 1 on the known ones (all 1 where the ring has no texture)
	 */
	public static float[] weights(float[] known, boolean[] mask, int w, int h) {
		int n = w * h;
		float[] u = HarmonicFill.fill(known, mask, w, h);
		float[] b = GaussianBlur.blur(u, w, h, FillTexture.FINE_SIGMA);
		float[] ke = new float[n], k = new float[n];
		float[] toMask = DistanceTransform.toUnknown(mask, w, h);
		double ring = 0;
		int count = 0;
		for (int i = 0; i < n; i++)
			if (!mask[i]) {
				double hp = u[i] - b[i];
				ke[i] = (float) (hp * hp);
				k[i] = 1;
				if (toMask[i] <= FillTexture.RING) {
					ring += hp * hp;
					count++;
				}
			}
		float[] out = new float[n];
		java.util.Arrays.fill(out, 1f);
		double ringRms = count == 0 ? 0 : Math.sqrt(ring / count);
		if (!(ringRms > 0)) return out;
		float[] num = GaussianBlur.blur(ke, w, h, SIGMA), den = GaussianBlur.blur(k, w, h, SIGMA);
		float[] e = new float[n];
		for (int i = 0; i < n; i++) e[i] = mask[i] ? 0 : (float) Math.sqrt(Math.max(0, num[i] / Math.max(den[i], 1e-12f)));
		float[] filled = HarmonicFill.fill(e, mask, w, h);
		for (int i = 0; i < n; i++) if (mask[i]) out[i] = (float) (filled[i] / ringRms);
		return out;
	}
}
