package org.ldmfiji.image;

/**
 * NaN pixels as "no data" (the blank regions of a mosaic, a detector's masked columns, what an astronomy pipeline
 * writes where nothing was observed): the model is given the image with those pixels filled harmonically from their
 * neighbours (Δu = 0 with the known pixels as boundary values, {@link HarmonicFill}), so nothing flows from a NaN into
 * the values around it, and a result f times finer gets NaN back on the f × f block of every NaN source pixel.
 */
public final class NoData {

	/** C × H × W, true where the source holds NaN. */
	private final boolean[] nan;
	private final int channels, width, height;

	private NoData(boolean[] nan, int channels, int width, int height) {
		this.nan = nan;
		this.channels = channels;
		this.width = width;
		this.height = height;
	}

	/** The NaN pixels of {@code px}, or null when it has none. */
	public static NoData of(FloatPlanes px) {
		float[] d = px.data();
		boolean[] nan = null;
		for (int i = 0; i < d.length; i++)
			if (Float.isNaN(d[i])) {
				if (nan == null) nan = new boolean[d.length];
				nan[i] = true;
			}
		return nan == null ? null : new NoData(nan, px.channels(), px.width(), px.height());
	}

	/** A copy of {@code px} with each channel's NaN pixels filled harmonically (0 in a channel with no value at all). */
	public FloatPlanes filled(FloatPlanes px) {
		int n = width * height;
		FloatPlanes out = px.copy();
		for (int c = 0; c < channels; c++) {
			boolean[] unknown = new boolean[n];
			System.arraycopy(nan, c * n, unknown, 0, n);
			float[] plane = HarmonicFill.fill(px.channel(c).data(), unknown, width, height);
			System.arraycopy(plane, 0, out.data(), c * n, n);
		}
		return out;
	}

	/** Sets NaN on the f × f block of every NaN source pixel in a result of C × fH × fW. */
	public void blank(FloatPlanes result, int f) {
		if (result.channels() != channels || result.width() != width * f || result.height() != height * f)
			throw new IllegalArgumentException("a result of " + result.width() + "x" + result.height() + " is not x" + f
				+ " of the " + width + "x" + height + " source");
		for (int c = 0; c < channels; c++)
			for (int y = 0; y < height; y++)
				for (int x = 0; x < width; x++) {
					if (!nan[(c * height + y) * width + x]) continue;
					for (int dy = 0; dy < f; dy++)
						for (int dx = 0; dx < f; dx++) result.set(c, y * f + dy, x * f + dx, Float.NaN);
				}
	}
}
