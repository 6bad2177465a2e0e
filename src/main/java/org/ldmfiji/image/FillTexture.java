package org.ldmfiji.image;

import java.util.Random;

/**
 * Makes a fill's fine texture and values follow its surroundings: the known pixels within {@link #RING} px of the
 * mask (the ring) are the reference, per channel.
 * <ul>
 * <li><b>Amplitude.</b> The fill's coarse departure from the harmonic continuation g of the surroundings,
 * G_σ' ∗ (composite − g), is scaled down when its RMS over the mask's interior exceeds {@link #HIGH} × the standard
 * deviation of the ring's values: a fill may not stray further from the smooth continuation than the surroundings
 * vary. A model that sees a dark sky as flat (its range set by a star) fills with blotches hundreds of counts bright;
 * the sky varies by a few.</li>
 * <li><b>Level.</b> With hp(u) = u − G_σ ∗ u the fine band (σ = {@value #FINE_SIGMA} px, as the evaluation's texture
 * ratio) and mid(u) = G_σ ∗ u − G_{σ'} ∗ u the next band (σ' = {@value #MID_SIGMA} px), each measured on the composite
 * (known pixels outside the mask, the fill inside) as an RMS over the mask's interior (distance ≥ 3 px) and over the
 * ring: a mid band whose fill RMS exceeds {@link #HIGH} × the ring's is scaled down to the ring's level, a fine band
 * above {@link #TARGET} × the ring's to that level (a few passes, since what is taken from one band leaves some in
 * the other). A model that sees a dark sky as flat and a star as its range fills with its own noise, tens of times
 * the sky's; this takes it back to the sky's.</li>
 * <li><b>Texture.</b> A fill whose fine band is below {@link #TARGET} × the ring's (a smooth fill in a noisy or
 * textured region) gets the fine band of an exemplar added, scaled so that the composite's fine band reaches that
 * level ({@link #topUp}), faded in from the border as {@link LowBandFloor}'s detail and weighted by the surroundings'
 * local texture level ({@link LocalTexture}): the exemplar is the known region at the shift t (with values only
 * within the ring's range) whose ring best matches the mask's ring (least squared difference of the known values
 * x(q + t) and x(q) over the ring pixels q with a known partner; Efros &amp; Leung 1999 and Criminisi et al. 2004
 * match patches the same way, here one patch covers each region of the mask), so noise continues with its own level
 * and spectrum and a periodic pattern with its phase. Where no shift fits (a region too large for its window) the
 * texture is high-passed seeded white noise whose values are drawn from the ring's own fine band, the same ring
 * pixel for every channel, and for each fill pixel from the ring pixels within {@link #LOCAL} px of its nearest one:
 * the level is right, the spectrum white, the histogram the nearby surroundings' (as Heeger &amp; Bergen 1995 match
 * each band's histogram) and the colour the ring's. A star field's
 * fine band is mostly sky with a few bright points, and so is its grain; Gaussian noise of the same level was a grey
 * haze over the whole fill, whose lower half the range clamp then cut at the sky's floor (FillTextureTest);
 * independent noise per channel is a speckle of every colour; values drawn from the whole ring sprinkled the lights
 * of a coast over the sea beside it.</li>
 * <li><b>Range.</b> The fill is clamped to the ring's [min, max]: no negative counts where the surroundings have
 * none, no values beyond what the surroundings hold.</li>
 * </ul>
 * Known pixels are never written and masked pixels of the source are never read.
 */
public final class FillTexture {

	/** Width of the reference ring of known pixels around the mask, px (the evaluation's ring). */
	public static final int RING = 8;
	static final double FINE_SIGMA = 1.5, MID_SIGMA = 4;
	/** A band is scaled down when the fill's RMS is above HIGH × the ring's. */
	static final double HIGH = 1.25;
	/**
	 * The fill's fine band is brought to TARGET × the ring's: scaled down from above, topped up with an exemplar's from
	 * below. Why not 1: the fill's texture is not in phase with the truth's (only with a periodic pattern's), so it
	 * adds its energy to the fill's error, E(e + n)² = E e² + E n² for an error e and a texture n independent of
	 * it, while a fill without texture looks wrong and fails the texture goal (0.5-2 × the surroundings'). 0.8 is
	 * the lowest level that a noise background's test (±30 %) accepts with some margin; chosen on 128² crops of
	 * scikit-image's data images (not the evaluation's): 1 → 0.8 took the MAE of 12 fills from 0.148 to 0.136
	 * (biharmonic 0.144); 0.7 would save another 0.003 (models/demo/EVALUATION.md, "Inpainting: texture at 0.8 of the
	 * surroundings' local level").
	 */
	static final double TARGET = 0.8;
	/** Relative slack around {@link #TARGET} within which a fill's fine band is left as it is. */
	static final double SLACK = 0.02;
	/** Masked pixels at least this far from a known pixel measure the fill's texture (away from the seam). */
	static final double INTERIOR = 3;
	static final int LEVEL_PASSES = 4;
	/**
	 * Exemplars kept, best first: the k-th of several fills (samples) takes the (k mod EXEMPLARS)-th, so that
	 * independent samples do not share their texture where the model's own is too weak (one fill: the best).
	 */
	static final int EXEMPLARS = 8;
	/**
	 * The noise texture's seed, mixed with the fill's own seed ({@link #apply(FloatPlanes, FloatPlanes, int, long)}):
	 * the same fill for the same input and seed. With this constant alone every fill of a window size got the same
	 * noise field, whatever its seed: on Spark every white cell of the checkerboard (all of one window size) took one
	 * field, whose chance fluctuations sat at the same window positions, the cells' edges (README, "Sampling one huge
	 * image").
	 */
	static final long NOISE_SEED = 20261204L;
	/**
	 * Exemplars are sought for at most this many regions of the mask ({@link MaskParts}; each is a search over the
	 * window); the smallest regions beyond them take the noise texture, which a region that small hardly shows (its
	 * texture fades in over {@link LowBandFloor#TAPER} px from the border).
	 */
	static final int MAX_PARTS = 16;
	/** The grain of a fill pixel is drawn from the ring pixels within this many px of its nearest one. */
	static final int LOCAL = 8;

	private final boolean[] mask;
	private final boolean[] ring, interior;
	/** On the masked pixels, the exemplar texture's weight: 0 next to a known pixel, 1 from {@link LowBandFloor#TAPER} + 1 px in. */
	private final float[] ramp;
	/** Per channel, the surroundings' local texture level continued into the mask ({@link LocalTexture}). */
	private final float[][] local;
	private final int w, h;
	/**
	 * Per region of the mask ({@link MaskParts}), the exemplars' shifts, best match first (at most
	 * {@link #EXEMPLARS}); empty where none fits.
	 */
	private final int[][][] shifts;
	/**
	 * Per pixel, the region of the mask it belongs to ({@link MaskParts}, 0 the largest), or on the ring the nearest
	 * region; −1 elsewhere.
	 */
	private final int[] part;
	private final double[] ringFine, ringMid, ringStd;
	/** Per channel, the fine band of the ring's pixels (the grain's values where no exemplar fits). */
	private final float[][] ringGrain;
	/** Per channel, the fine band of the known values (read on the ring: the grain's values near each fill pixel). */
	private final float[][] ringFinePlanes;
	/**
	 * Per masked pixel, the ring pixel nearest to it (through the mask, 8-connected; {@link MaskParts#nearestOf}), −1
	 * where none reaches it; the ring's pixels name themselves.
	 */
	private final int[] nearestRing;
	/** Per channel, the coarse band G_σ' ∗ g of the harmonic continuation g (the smoothest fill). */
	private final float[][] smoothCoarse;
	private final float[] lo, hi;

	/**
	 * @param mask w·h row-major, true on the fill
	 * @param known the source (C × h × w); its masked pixels are not read. Used to choose the exemplar's shift.
	 */
	public FillTexture(boolean[] mask, int w, int h, FloatPlanes known) {
		this.mask = mask.clone();
		this.w = w;
		this.h = h;
		float[] toMask = DistanceTransform.toUnknown(mask, w, h), toKnown = DistanceTransform.toKnown(mask, w, h);
		ring = new boolean[w * h];
		interior = new boolean[w * h];
		for (int i = 0; i < w * h; i++) {
			ring[i] = !mask[i] && toMask[i] <= RING;
			interior[i] = mask[i] && toKnown[i] >= INTERIOR;
		}
		if (!any(interior)) for (int i = 0; i < w * h; i++) interior[i] = mask[i];
		ramp = new float[w * h];
		for (int i = 0; i < w * h; i++)
			if (mask[i]) ramp[i] = (float) Math.max(0, Math.min(1, (toKnown[i] - 1) / LowBandFloor.TAPER));
		// the ring's levels and range, from the known pixels alone (the harmonic continuation in the mask, which
		// adds no texture of its own, so that a fill's mismatch at the border cannot raise them)
		int channels = known.channels();
		ringFine = new double[channels];
		ringMid = new double[channels];
		ringStd = new double[channels];
		smoothCoarse = new float[channels][];
		ringGrain = new float[channels][];
		ringFinePlanes = new float[channels][];
		local = new float[channels][];
		lo = new float[channels];
		hi = new float[channels];
		float[] fine = new float[w * h], mid = new float[w * h];
		for (int c = 0; c < channels; c++) {
			float[] u = HarmonicFill.fill(known.channel(c).data(), mask, w, h);
			local[c] = LocalTexture.weights(known.channel(c).data(), mask, w, h);
			bands(u, u, fine, mid);
			ringFine[c] = rms(fine, ring);
			ringGrain[c] = values(fine, ring);
			ringFinePlanes[c] = fine.clone();
			ringMid[c] = rms(mid, ring);
			smoothCoarse[c] = GaussianBlur.blur(u, w, h, MID_SIGMA);
			double sum = 0, sq = 0;
			int count = 0;
			for (int i = 0; i < w * h; i++)
				if (ring[i]) {
					sum += u[i];
					sq += (double) u[i] * u[i];
					count++;
				}
			ringStd[c] = count == 0 ? 0 : Math.sqrt(Math.max(0, sq / count - (sum / count) * (sum / count)));
			lo[c] = Float.POSITIVE_INFINITY;
			hi[c] = Float.NEGATIVE_INFINITY;
			for (int i = 0; i < w * h; i++)
				if (ring[i]) {
					lo[c] = Math.min(lo[c], u[i]);
					hi[c] = Math.max(hi[c], u[i]);
				}
		}
		nearestRing = MaskParts.nearestOf(ring, mask, w, h);
		part = MaskParts.label(mask, ring, w, h);
		int parts = 0;
		for (int i = 0; i < w * h; i++) if (mask[i]) parts = Math.max(parts, part[i] + 1);
		shifts = new int[parts][][];
		for (int k = 0; k < parts; k++) shifts[k] = k < MAX_PARTS ? bestShifts(known, toMask, toKnown, k) : new int[0][];
	}

	/** Channel c's weights of the detail ({@link LocalTexture#weights}), w·h; not to be modified. */
	public float[] localWeights(int c) {
		return local[c];
	}

	/** The best exemplar's shift (dx, dy) for the mask's largest region, or null when none fits. */
	int[] shift() {
		return shifts.length == 0 || shifts[0].length == 0 ? null : shifts[0][0].clone();
	}

	/** Applies level, texture and range to the fill's masked pixels, every channel, in place. */
	public void apply(FloatPlanes fill, FloatPlanes known) {
		apply(fill, known, 0);
	}

	/** {@link #apply(FloatPlanes, FloatPlanes)} for the {@code index}-th of several independent fills. */
	public void apply(FloatPlanes fill, FloatPlanes known, int index) {
		apply(fill, known, index, 0);
	}

	/**
	 * {@link #apply(FloatPlanes, FloatPlanes, int)} for a fill sampled with {@code seed}: fills of other seeds get
	 * independent noise textures (where no exemplar fits).
	 */
	public void apply(FloatPlanes fill, FloatPlanes known, int index, long seed) {
		fill.requireSameSize(known);
		int n = w * h;
		for (int c = 0; c < fill.channels(); c++) {
			float[] u = known.channel(c).data(), f = fill.channel(c).data();
			float[] fine = new float[n], mid = new float[n];
			double fillFine;
			// a band scaled down leaves the next coarser one's share in the fine band: a few passes settle it
			for (int pass = 0; pass < LEVEL_PASSES; pass++) {
				bands(u, f, fine, mid);
				boolean changed = false;
				float[] coarse = departure(u, f, c);
				double fillCoarse = rms(coarse, interior);
				if (fillCoarse > HIGH * ringStd[c]) {
					scale(f, coarse, 1 - ringStd[c] / fillCoarse);
					bands(u, f, fine, mid);
					changed = true;
				}
				double fillMid = rms(mid, interior);
				fillFine = rms(fine, interior);
				if (fillMid > HIGH * ringMid[c]) {
					scale(f, mid, 1 - ringMid[c] / fillMid);
					changed = true;
				}
				if (fillFine > (1 + SLACK) * TARGET * ringFine[c]) {
					scale(f, fine, 1 - TARGET * ringFine[c] / fillFine);
					changed = true;
				}
				if (!changed) break;
			}
			bands(u, f, fine, mid);
			fillFine = rms(fine, interior);
			double target = TARGET * ringFine[c];
			if (fillFine < (1 - SLACK) * target) {
				float[] donor = donor(fine, c, index, seed);
				float[] band = GaussianBlur.blur(donor, w, h, FINE_SIGMA);
				for (int i = 0; i < n; i++) band[i] = donor[i] - band[i];
				scale(f, donor, -Math.min(topUp(fine, band, target, interior), topUp(fine, band, target, mask)));
			}
			for (int i = 0; i < n; i++) if (mask[i]) f[i] = Math.max(lo[c], Math.min(hi[c], f[i]));
			float[] out = fill.data();
			for (int i = 0; i < n; i++) if (mask[i]) out[c * n + i] = f[i];
		}
	}

	/**
	 * The k ≥ 0 for which the composite's fine band with k · donor d added to the fill has the RMS {@code target}
	 * over the pixels {@code where}, given {@code band} = hp(d): the band is linear, hp(f + k d) = hp(f) + k hp(d),
	 * so its mean square is a quadratic in k. The donor's own RMS is not its share of the band: an exemplar's fine
	 * band high-passed once more keeps about two thirds of its RMS, and a texture scaled by it fell short of the
	 * target by as much (a fill's texture ratio 0.51 where the model's detail was left out). 0 when the donor has no
	 * fine band.
	 * <p>
	 * {@link #apply} takes the k that brings the interior to the target, but never more than the k that brings the
	 * whole fill there. The interior is where the texture is judged, away from the seam, and near the border the
	 * texture fades in, so the whole fill asks for more; but an exemplar can be flat in the interior and hold its
	 * texture within 3 px of the border, where the ring's texture is: a stroke's copy crossing a petal's edge only
	 * there, the rest of the mask over a blurred backdrop. Scaled to the interior, that edge became a black streak
	 * with a white spot, 61 times the exemplar's (sklearn's flower photograph; FillTextureTest).
	 */
	private static double topUp(float[] fine, float[] band, double target, boolean[] where) {
		double ff = 0, fd = 0, dd = 0;
		long count = 0;
		for (int i = 0; i < band.length; i++)
			if (where[i]) {
				double d = band[i];
				ff += (double) fine[i] * fine[i];
				fd += fine[i] * d;
				dd += d * d;
				count++;
			}
		if (dd == 0) return 0;
		double c = ff - target * target * count; // dd k² + 2 fd k + c = 0, c < 0 below the target
		return Math.max(0, (-fd + Math.sqrt(Math.max(0, fd * fd - dd * c))) / dd);
	}

	/** G_σ' ∗ (composite) − G_σ' ∗ g: the fill's coarse departure from the harmonic continuation g. */
	private float[] departure(float[] u, float[] f, int c) {
		float[] comp = u.clone();
		for (int i = 0; i < comp.length; i++) if (mask[i]) comp[i] = f[i];
		float[] b = GaussianBlur.blur(comp, w, h, MID_SIGMA);
		for (int i = 0; i < b.length; i++) b[i] -= smoothCoarse[c][i];
		return b;
	}

	/** The fine and mid bands of the composite (the known values u outside the mask, the fill f inside). */
	private void bands(float[] u, float[] f, float[] fine, float[] mid) {
		float[] comp = u.clone();
		for (int i = 0; i < comp.length; i++) if (mask[i]) comp[i] = f[i];
		float[] b1 = GaussianBlur.blur(comp, w, h, FINE_SIGMA), b2 = GaussianBlur.blur(comp, w, h, MID_SIGMA);
		for (int i = 0; i < comp.length; i++) {
			fine[i] = comp[i] - b1[i];
			mid[i] = b1[i] - b2[i];
		}
	}

	/**
	 * The texture to add on the masked pixels: the composite's fine band at the exemplar's shift of each pixel's part
	 * of the mask, weighted by the local texture level ({@link LocalTexture}), or where no shift fits that part, the
	 * fine band of seeded noise whose value at each pixel is drawn from the fine band of the ring pixels near its
	 * nearest one (the right level after scaling, the nearby surroundings' level and histogram, so no further local
	 * weight; white rather than their spectrum); the {@code index}-th fill takes the (index mod count)-th exemplar, or
	 * its own noise.
	 */
	private float[] donor(float[] fine, int channel, int index, long seed) {
		int n = w * h;
		float[] donor = new float[n];
		boolean noise = false;
		for (int i = 0; i < n; i++) {
			if (!mask[i]) continue;
			int[][] own = shifts[part[i]];
			if (own.length == 0) {
				noise = true;
				continue;
			}
			int[] shift = own[index % own.length];
			donor[i] = ramp[i] * local[channel][i] * fine[i + shift[1] * w + shift[0]];
		}
		if (!noise) return donor;
		// one field for every channel (one seed, one ring: a pixel's values in every channel come from one ring pixel):
		// a colour image's texture takes the ring's colours, not a speckle of every colour
		Random r = new Random(NOISE_SEED + 7919L * index + 0x9E3779B97F4A7C15L * seed);
		float[] field = new float[n];
		float[] grain = ringGrain[channel], near = ringFinePlanes[channel];
		for (int i = 0; i < n; i++) {
			int q = mask[i] && nearestRing[i] >= 0 ? nearRingPixel(nearestRing[i], r) : -1;
			field[i] = q >= 0 ? near[q] : grain.length > 0 ? grain[r.nextInt(grain.length)] : (float) r.nextGaussian();
		}
		float[] b = GaussianBlur.blur(field, w, h, FINE_SIGMA);
		for (int i = 0; i < n; i++)
			if (mask[i] && shifts[part[i]].length == 0) donor[i] = ramp[i] * (field[i] - b[i]);
		return donor;
	}

	/**
	 * A ring pixel drawn at random within {@link #LOCAL} px of ring pixel q (q itself when a few draws miss the
	 * ring): the grain's value for a fill pixel whose nearest ring pixel is q. The draws depend on the ring alone, so
	 * every channel, drawn with the same seed, takes the same ring pixel.
	 */
	private int nearRingPixel(int q, Random r) {
		int y = q / w, x = q % w;
		for (int t = 0; t < 16; t++) {
			int yy = y + r.nextInt(2 * LOCAL + 1) - LOCAL, xx = x + r.nextInt(2 * LOCAL + 1) - LOCAL;
			if (yy >= 0 && yy < h && xx >= 0 && xx < w && ring[yy * w + xx]) return yy * w + xx;
		}
		return q;
	}

	/** f −= k·band on the masked pixels. */
	private void scale(float[] f, float[] band, double k) {
		for (int i = 0; i < f.length; i++) if (mask[i]) f[i] -= (float) (k * band[i]);
	}

	/** v at the pixels where {@code where} holds, in their order. */
	private static float[] values(float[] v, boolean[] where) {
		int n = 0;
		for (boolean b : where) if (b) n++;
		float[] out = new float[n];
		for (int i = 0, k = 0; i < v.length; i++) if (where[i]) out[k++] = v[i];
		return out;
	}

	private static double rms(float[] v, boolean[] where) {
		double s = 0;
		long n = 0;
		for (int i = 0; i < v.length; i++)
			if (where[i]) {
				s += (double) v[i] * v[i];
				n++;
			}
		return n == 0 ? 0 : Math.sqrt(s / n);
	}

	/**
	 * The shifts t = (dx, dy) that move the mask's region {@code k} ({@link MaskParts}) onto known pixels, ranked
	 * by the mean squared difference x(q + t) − x(q) over the part's ring pixels q whose partner q + t is a known
	 * pixel of the plane (at least a quarter of them; all channels), among the shifts that bring only values within
	 * the ring's range under the part: the {@link #EXEMPLARS} best, best first; none when no shift qualifies. The
	 * part's bounding box, grown by the blur's reach and moved by t, lies inside the plane; for a stroke (every pixel
	 * within {@link #RING} px of a known one, so that the ring judges all of the exemplar), each of its pixels moved
	 * lands more than that reach from the mask (the exemplar's fine band holds no fill); otherwise the moved box holds
	 * no masked pixel, as the ring says little about the texture deep inside a large hole (a solar disc's limb was
	 * copied across the middle of a box otherwise).
	 * Until session 32 one shift served the whole mask, strokes included: a stroke across the window has a bounding
	 * box that no shift clears, and its fill got the grain drawn pixel by pixel from the ring's fine band, which on
	 * a clean graphic (facets, tiles, bands with sharp edges) is a sandpaper of edge values (models/demo/EVALUATION.md,
	 * session 32). Until session 37 the regions that are not strokes shared one shift, which had to clear their joint
	 * bounding box: wide holes spread over the window got that sandpaper too, on a photograph a salt-and-pepper of its
	 * edges' values (a face, a goldfish's scales, a depth map's steps to the missing depth of zero; session 37).
	 */
	private int[][] bestShifts(FloatPlanes known, float[] toMask, float[] toKnown, int k) {
		int n = w * h, nm = 0, nr = 0;
		int[] own = new int[n], ringPixels = new int[n];
		int x0 = w, y0 = h, x1 = -1, y1 = -1;
		boolean thin = true;
		for (int i = 0; i < n; i++) {
			if (part[i] != k) continue;
			if (ring[i]) ringPixels[nr++] = i;
			if (!mask[i]) continue;
			own[nm++] = i;
			thin &= toKnown[i] <= RING;
			x0 = Math.min(x0, i % w);
			y0 = Math.min(y0, i / w);
			x1 = Math.max(x1, i % w);
			y1 = Math.max(y1, i / w);
		}
		if (nm == 0) return new int[0][];
		int[] maskPixels = java.util.Arrays.copyOf(own, nm);
		int reach = (int) Math.ceil(3 * FINE_SIGMA);
		int bx0 = x0 - reach, by0 = y0 - reach, bx1 = x1 + reach, by1 = y1 + reach; // inclusive
		// a part that is not thin keeps clear of the mask with its whole bounding box (summed-area table of the mask)
		long[] sat = null;
		if (!thin) {
			sat = new long[(w + 1) * (h + 1)];
			for (int y = 0; y < h; y++)
				for (int x = 0; x < w; x++)
					sat[(y + 1) * (w + 1) + x + 1] = (mask[y * w + x] ? 1 : 0) + sat[y * (w + 1) + x + 1]
						+ sat[(y + 1) * (w + 1) + x] - sat[y * (w + 1) + x];
		}
		// the best EXEMPLARS so far, sorted by their mean squared difference
		double[] bestCost = new double[EXEMPLARS];
		int[][] best = new int[EXEMPLARS][];
		int kept = 0;
		float[] d = known.data();
		for (int dy = -by0; dy + by1 < h; dy++)
			for (int dx = -bx0; dx + bx1 < w; dx++) {
				if (sat != null) {
					int ax0 = bx0 + dx, ay0 = by0 + dy, ax1 = bx1 + dx + 1, ay1 = by1 + dy + 1;
					if (sat[ay1 * (w + 1) + ax1] - sat[ay0 * (w + 1) + ax1] - sat[ay1 * (w + 1) + ax0]
						+ sat[ay0 * (w + 1) + ax0] != 0) continue;
				}
				else if (!clearOfMask(maskPixels, dy * w + dx, toMask, reach)) continue;
				double ssd = 0;
				int count = 0;
				for (int r = 0; r < nr; r++) {
					int q = ringPixels[r], qx = q % w + dx, qy = q / w + dy;
					if (qx < 0 || qy < 0 || qx >= w || qy >= h || mask[qy * w + qx]) continue;
					count++;
					for (int c = 0; c < known.channels(); c++) {
						double diff = d[c * n + qy * w + qx] - d[c * n + q];
						ssd += diff * diff;
					}
				}
				if (count == 0 || 4 * count < nr) continue;
				double cost = ssd / count;
				if ((kept < EXEMPLARS || cost < bestCost[kept - 1])
					&& withinRingRange(d, known.channels(), maskPixels, dy * w + dx)) {
					int at = Math.min(kept, EXEMPLARS - 1);
					while (at > 0 && bestCost[at - 1] > cost) {
						bestCost[at] = bestCost[at - 1];
						best[at] = best[at - 1];
						at--;
					}
					bestCost[at] = cost;
					best[at] = new int[] {dx, dy};
					kept = Math.min(kept + 1, EXEMPLARS);
				}
			}
		return java.util.Arrays.copyOf(best, kept);
	}

	/** Whether every masked pixel moved by {@code off} lands more than {@code reach} px from the mask. */
	private static boolean clearOfMask(int[] maskPixels, int off, float[] toMask, int reach) {
		for (int p : maskPixels) if (toMask[p + off] <= reach) return false;
		return true;
	}

	/** Whether every value under the moved mask lies within the ring's range (no star copied into a dark sky). */
	private boolean withinRingRange(float[] d, int channels, int[] maskPixels, int off) {
		int n = w * h;
		for (int c = 0; c < channels; c++)
			for (int p : maskPixels) {
				float v = d[c * n + p + off];
				if (v < lo[c] || v > hi[c]) return false;
			}
		return true;
	}

	private static boolean any(boolean[] m) {
		for (boolean b : m) if (b) return true;
		return false;
	}
}
