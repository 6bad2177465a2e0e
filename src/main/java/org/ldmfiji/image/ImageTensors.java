package org.ldmfiji.image;

import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.ARGBType;
import net.imglib2.type.numeric.IntegerType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

/**
 * Copies between ImgLib2 images and {@link FloatPlanes}. Intervals may have any min (a view of a
 * crop keeps its coordinates); pixels are visited in flat order, x fastest, so position
 * (min_x + x, min_y + y[, min_c + c]) becomes element (c, y, x).
 * <p>
 * Layout: a 2D interval (X, Y) is one channel; a 3D interval is (X, Y, C), ImageJ's channel order.
 * ARGB images become three planes R, G, B with values 0…255 (alpha is ignored).
 */
public final class ImageTensors {

	private ImageTensors() {}

	/** Reads a 2D (X, Y) or 3D (X, Y, C) real-valued image into a C x H x W float copy. */
	public static FloatPlanes read(RandomAccessibleInterval<? extends RealType<?>> img) {
		int[] chw = chw(img);
		float[] out = new float[(int) ((long) chw[0] * chw[1] * chw[2])];
		Cursor<? extends RealType<?>> c = Views.flatIterable(img).cursor();
		for (int i = 0; i < out.length; i++) out[i] = c.next().getRealFloat();
		return new FloatPlanes(chw[0], chw[1], chw[2], out);
	}

	/**
	 * Writes {@code planes} into {@code target} (2D or 3D as in {@link #read}, same size). Values are
	 * clamped to the pixel type's range [getMinValue, getMaxValue]; integer types get the nearest
	 * integer (halves round up). NaN is written as NaN to float types and as the type's minimum to
	 * integer types.
	 */
	public static void write(FloatPlanes planes, RandomAccessibleInterval<? extends RealType<?>> target) {
		requireSize(planes, target);
		Cursor<? extends RealType<?>> c = Views.flatIterable(target).cursor();
		if (!c.hasNext()) return;
		RealType<?> t = c.next();
		c.reset();
		boolean integer = t instanceof IntegerType;
		double min = t.getMinValue(), max = t.getMaxValue();
		float[] data = planes.data();
		for (int i = 0; i < data.length; i++) {
			c.next().setReal(integer ? roundClamp(data[i], min, max) : clamp(data[i], min, max));
		}
	}

	/** Reads an ARGB image (2D) into three planes R, G, B in 0…255. */
	public static FloatPlanes readRgb(RandomAccessibleInterval<ARGBType> img) {
		if (img.numDimensions() != 2) {
			throw new IllegalArgumentException("an RGB image must be 2D (X, Y), got " + img.numDimensions() + " dimensions");
		}
		int w = side(img.dimension(0), "width"), h = side(img.dimension(1), "height");
		FloatPlanes out = FloatPlanes.zeros(3, h, w);
		float[] d = out.data();
		int n = w * h;
		Cursor<ARGBType> c = Views.flatIterable(img).cursor();
		for (int i = 0; i < n; i++) {
			int v = c.next().get();
			d[i] = ARGBType.red(v);
			d[n + i] = ARGBType.green(v);
			d[2 * n + i] = ARGBType.blue(v);
		}
		return out;
	}

	/** Writes three planes R, G, B into an ARGB image, rounded to the nearest integer and clamped to 0…255; alpha 255. */
	public static void writeRgb(FloatPlanes planes, RandomAccessibleInterval<ARGBType> target) {
		if (planes.channels() != 3) {
			throw new IllegalArgumentException("an RGB image needs 3 planes (R, G, B), got " + planes.channels());
		}
		if (target.numDimensions() != 2 || target.dimension(0) != planes.width() || target.dimension(1) != planes.height()) {
			throw new IllegalArgumentException("RGB target of size " + sizeOf(target) + " does not match the "
				+ planes.width() + " x " + planes.height() + " planes (W x H)");
		}
		float[] d = planes.data();
		int n = planes.planeSize();
		Cursor<ARGBType> c = Views.flatIterable(target).cursor();
		for (int i = 0; i < n; i++) {
			int r = (int) roundClamp(d[i], 0, 255);
			int g = (int) roundClamp(d[n + i], 0, 255);
			int b = (int) roundClamp(d[2 * n + i], 0, 255);
			c.next().set(ARGBType.rgba(r, g, b, 255));
		}
	}

	/** The nearest value of an integer type in [min, max] (halves round up); NaN gives min. */
	static double roundClamp(double v, double min, double max) {
		if (v != v) return min;
		return Math.floor(clamp(v, min, max) + 0.5);
	}

	private static double clamp(double v, double min, double max) {
		return v < min ? min : v > max ? max : v; // NaN passes through
	}

	private static int[] chw(RandomAccessibleInterval<?> img) {
		int d = img.numDimensions();
		if (d != 2 && d != 3) {
			throw new IllegalArgumentException("expected a 2D (X, Y) or 3D (X, Y, C) image, got "
				+ d + " dimensions " + sizeOf(img) + ": take one plane first (e.g. Views.hyperSlice)");
		}
		int w = side(img.dimension(0), "width"), h = side(img.dimension(1), "height");
		int c = d == 3 ? side(img.dimension(2), "channel count") : 1;
		return new int[] { c, h, w };
	}

	private static void requireSize(FloatPlanes p, RandomAccessibleInterval<?> target) {
		int[] chw = chw(target);
		if (chw[0] != p.channels() || chw[1] != p.height() || chw[2] != p.width()) {
			throw new IllegalArgumentException("target of size " + sizeOf(target) + " (X x Y[ x C]) does not match the "
				+ p.width() + " x " + p.height() + " x " + p.channels() + " planes");
		}
	}

	private static int side(long v, String what) {
		if (v > Integer.MAX_VALUE) throw new IllegalArgumentException(what + " " + v + " is too large: process the image in tiles");
		return (int) v;
	}

	private static String sizeOf(RandomAccessibleInterval<?> img) {
		StringBuilder sb = new StringBuilder();
		for (int i = 0; i < img.numDimensions(); i++) sb.append(i == 0 ? "" : " x ").append(img.dimension(i));
		return sb.toString();
	}
}
