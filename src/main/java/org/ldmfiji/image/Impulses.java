package org.ldmfiji.image;

import java.util.Arrays;

/**
 * The known pixels with their impulses taken out: small groups of pixels (at most {@link #MAX_SIZE}, 8-connected)
 * each of which departs from the median m of its 8 neighbours by more than {@link #R} times the spread of the known
 * values, |u − m| > R · (P99.5 − P0.5) (per channel, percentiles of the known pixels), are replaced by the membrane
 * continuation of the rest ({@link HarmonicFill}). A cosmic ray or a hot pixel is such an impulse: a value far outside
 * what the rest of the window holds, on a pixel or two whose neighbours are the background. A photograph's edges,
 * specks and highlights depart by less (on the real-image sets' photographs, paintings, wallpapers, depth maps and
 * medical crops at most 1.9 times the spread: a stent's wire; more only on astronomy frames, a night sky's
 * photograph and gamma-ray counts), an edge's pixel departs little from the median of its neighbours (most of them
 * are on its side), and a thin line (a wire, a bolt, a stroke of text) is a group of more pixels. A fill's texture follows the background, not the impulse: in a CCD frame's sky (noise of 7 counts) a cosmic
 * ray of 1400 counts on the border set the ring's texture level 4.4 times the sky's, the fill's noise, drawn near it,
 * became black and white spots in a streak, and the rest of the fill stayed at 0.6 of the sky's noise
 * (models/demo/EVALUATION.md, session 39).
 * <p>
 * When more than {@link #MAX_SHARE} of the known pixels are impulses, they are the texture, and nothing is taken
 * out. Every channel takes out the same pixels (those any channel flags).
 */
public final class Impulses {

	/**
	 * A departure beyond R times the known values' spread marks an impulse: Gaussian noise never (its spread is 5.2 σ,
	 * a departure of 10 σ), a photograph never (its values lie within a spread and a half of each other).
	 */
	static final double R = 2;
	/** Largest group of flagged pixels that is an impulse, px (a cosmic ray's short streak; a line is more). */
	static final int MAX_SIZE = 9;
	/** Impulses are taken out only when they are at most this share of the known pixels. */
	static final double MAX_SHARE = 0.01;

	private Impulses() {}

	/**
	 * @param known C × h × w; its masked pixels are not read
	 * @param mask h·w row-major, true on the fill
	 * @return {@code known} itself when it has no impulses, else a copy with them replaced (masked pixels as in known)
	 */
	public static FloatPlanes removed(FloatPlanes known, boolean[] mask) {
		int w = known.width(), h = known.height(), n = w * h;
		boolean[] impulses = found(known, mask);
		if (impulses == null) return known;
		boolean[] unknown = impulses.clone();
		for (int i = 0; i < n; i++) unknown[i] |= mask[i];
		FloatPlanes out = known.copy();
		float[] d = out.data();
		for (int c = 0; c < known.channels(); c++) {
			float[] plane = HarmonicFill.fill(known.channel(c).data(), unknown, w, h);
			for (int i = 0; i < n; i++) if (impulses[i]) d[c * n + i] = plane[i];
		}
		return out;
	}

	/** The known pixels that are impulses, or null when there are none or too many to be impulses. */
	static boolean[] found(FloatPlanes known, boolean[] mask) {
		int w = known.width(), h = known.height(), n = w * h;
		int knownCount = 0;
		for (boolean m : mask) if (!m) knownCount++;
		if (knownCount == 0) return null;
		boolean[] flagged = new boolean[n];
		for (int c = 0; c < known.channels(); c++) {
			float[] u = HarmonicFill.fill(known.channel(c).data(), mask, w, h);
			float[] values = new float[knownCount];
			for (int i = 0, k = 0; i < n; i++) if (!mask[i]) values[k++] = u[i];
			double spread = Percentiles.of(values, 99.5) - Percentiles.of(values, 0.5);
			if (!(spread > 0)) continue;
			float[] r = departures(u, w, h);
			for (int i = 0; i < n; i++) flagged[i] |= !mask[i] && Math.abs(r[i]) > R * spread;
		}
		int[] group = MaskParts.label(flagged, new boolean[n], w, h), size = new int[n];
		for (int g : group) if (g >= 0) size[g]++;
		boolean[] impulses = new boolean[n];
		int count = 0;
		for (int i = 0; i < n; i++)
			if (group[i] >= 0 && size[group[i]] <= MAX_SIZE) {
				impulses[i] = true;
				count++;
			}
		return count == 0 || count > MAX_SHARE * knownCount ? null : impulses;
	}

	/** u − the median of its 8 neighbours (fewer at the plane's edges). */
	private static float[] departures(float[] u, int w, int h) {
		float[] r = new float[w * h], nb = new float[8];
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				int k = 0;
				for (int yy = Math.max(0, y - 1); yy <= Math.min(h - 1, y + 1); yy++)
					for (int xx = Math.max(0, x - 1); xx <= Math.min(w - 1, x + 1); xx++)
						if (yy != y || xx != x) nb[k++] = u[yy * w + xx];
				Arrays.sort(nb, 0, k);
				float median = k % 2 == 1 ? nb[k / 2] : (nb[k / 2 - 1] + nb[k / 2]) / 2;
				r[y * w + x] = u[y * w + x] - median;
			}
		return r;
	}
}
