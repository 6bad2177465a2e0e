package org.ldmfiji.tiling;

import org.ldmfiji.image.FloatPlanes;

/**
 * A rectangle of pixel space whose sides are multiples of the latent grid's cell ({@code f · latent_multiple}),
 * placed over an image; parts beyond the image's border read the image mirrored (reflect, edge not repeated),
 * so a window may be larger than a small image.
 */
public final class Window {

	public final int x, y, width, height;

	public Window(int x, int y, int width, int height) {
		if (width < 1 || height < 1) throw new IllegalArgumentException("empty window " + width + "x" + height);
		this.x = x;
		this.y = y;
		this.width = width;
		this.height = height;
	}

	/**
	 * The window around the region [x0, x1) × [y0, y1) grown by {@code margin} on every side, with sides rounded
	 * up to multiples of {@code unit} and at least {@code minSide}, centred on the region and then shifted to lie
	 * inside the W × H image where it fits. The margin is context, and beyond the image there is none: a side
	 * grows past the image's (rounded up to the unit) only as far as {@code minSide} asks.
	 */
	public static Window around(int x0, int y0, int x1, int y1, int margin, int unit, int minSide, int imageW, int imageH) {
		int w = side(x1 - x0 + 2 * margin, unit, minSide, imageW);
		int h = side(y1 - y0 + 2 * margin, unit, minSide, imageH);
		return new Window(place((x0 + x1) / 2, w, imageW), place((y0 + y1) / 2, h, imageH), w, h);
	}

	private static int side(int wanted, int unit, int minSide, int imageSide) {
		int min = roundUp(minSide, unit);
		return Math.max(min, Math.min(roundUp(wanted, unit), roundUp(imageSide, unit)));
	}

	/** The whole image, its sides rounded up to multiples of {@code unit} (the excess mirrored). */
	public static Window covering(int imageW, int imageH, int unit) {
		return new Window(0, 0, roundUp(imageW, unit), roundUp(imageH, unit));
	}

	private static int place(int centre, int side, int imageSide) {
		if (side >= imageSide) return 0;
		return Math.max(0, Math.min(centre - side / 2, imageSide - side));
	}

	public static int roundUp(int v, int unit) {
		return (v + unit - 1) / unit * unit;
	}

	/** Mirror index into [0, n): reflect about the edges without repeating the edge pixel. */
	static int mirror(int i, int n) {
		if (n == 1) return 0;
		int period = 2 * (n - 1);
		int m = Math.floorMod(i, period);
		return m < n ? m : period - m;
	}

	/** The window's pixels of {@code image} (all channels), mirrored beyond the image. */
	public FloatPlanes extract(FloatPlanes image) {
		FloatPlanes out = FloatPlanes.zeros(image.channels(), height, width);
		for (int c = 0; c < image.channels(); c++)
			for (int j = 0; j < height; j++) {
				int sy = mirror(y + j, image.height());
				for (int i = 0; i < width; i++) out.set(c, j, i, image.get(c, sy, mirror(x + i, image.width())));
			}
		return out;
	}

	/**
	 * The window's part of a row-major W × H mask, mirrored beyond the image like {@link #extract(FloatPlanes)}: the
	 * mirror image of a region to fill is unknown too (its pixels may be NaN), so the model must not take it as context.
	 */
	public boolean[] extract(boolean[] mask, int imageW, int imageH) {
		boolean[] out = new boolean[width * height];
		for (int j = 0; j < height; j++) {
			int sy = mirror(y + j, imageH);
			for (int i = 0; i < width; i++) out[j * width + i] = mask[sy * imageW + mirror(x + i, imageW)];
		}
		return out;
	}

	/** Whether window pixel (i, j) lies on the image. */
	public boolean onImage(int i, int j, int imageW, int imageH) {
		int sx = x + i, sy = y + j;
		return sx >= 0 && sy >= 0 && sx < imageW && sy < imageH;
	}

	@Override
	public String toString() {
		return width + "x" + height + "+" + x + "+" + y;
	}
}
