package org.ldmfiji.task;

import net.imglib2.Cursor;
import net.imglib2.FinalInterval;
import net.imglib2.Interval;
import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.img.ImgView;
import net.imglib2.type.BooleanType;
import net.imglib2.type.NativeType;
import net.imglib2.type.numeric.IntegerType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.util.Intervals;
import net.imglib2.util.Util;
import net.imglib2.view.Views;

import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.image.ImageTensors;
import org.ldmfiji.image.Normalization;

import java.util.Arrays;

/**
 * What the ImgLib2 tasks ({@link ImgInpainting}, {@link ImgSuperResolution}, {@link ImgSampling}) share: the layout
 * X, Y and an optional channel axis (dimension 2), reading a window into float planes at the tensor boundary,
 * writing a value in the pixel type as the ImageJ jobs do, the normalisation of a pixel type, and results that keep
 * a non-zero min.
 */
final class ImgPixels {

	private ImgPixels() {}

	/** Channels of an X, Y[, C] image: 1 for 2D, the size of dimension 2 for 3D; other layouts are refused. */
	static int channels(Interval image) {
		int d = image.numDimensions();
		if (d != 2 && d != 3) throw new IllegalArgumentException("expected an X, Y or X, Y, C image, got " + d
			+ " dimensions " + Arrays.toString(image.dimensionsAsLongArray()) + ": take one plane of a stack or time series "
			+ "first (Views.hyperSlice) and call once per plane");
		return d == 2 ? 1 : side(image.dimension(2), "the channel count");
	}

	/** A side that must fit an int (one plane of the float buffers at the tensor boundary). */
	static int side(long v, String what) {
		if (v > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(what + " " + v + " is larger than one plane can "
			+ "hold: process a crop (Views.interval)");
		return (int) v;
	}

	/**
	 * The part [x0, x1) × [y0, y1) of the image's X and Y, coordinates relative to its min, with all channels: an
	 * interval in the image's own coordinates.
	 */
	static Interval window(Interval image, int[] box) {
		long[] min = image.minAsLongArray(), max = image.maxAsLongArray();
		for (int d = 0; d < 2; d++) {
			max[d] = min[d] + box[d + 2] - 1;
			min[d] += box[d];
		}
		return new FinalInterval(min, max);
	}

	/** The image's channels over the window as C × height × width raw values (the tensor boundary). */
	static FloatPlanes read(RandomAccessibleInterval<? extends RealType<?>> image, Interval window) {
		return ImageTensors.read(Views.interval(image, window));
	}

	/** Writes v as the ImageJ jobs write a pixel: rounded and clamped for integer types, as float otherwise. */
	static void put(RealType<?> t, double v) {
		if (t instanceof IntegerType) t.setReal(Math.max(t.getMinValue(), Math.min(t.getMaxValue(), Math.round(v))));
		else t.setReal(v);
	}

	/**
	 * The normalisation the ImageJ jobs use for the same type ({@link Normalization#forBitDepth}): an 8-bit type
	 * (0…255) the fixed range 0…255 (a dim image's percentiles), anything else (16-bit, float) the percentiles of its
	 * values.
	 */
	static Normalization normalization(RealType<?> t) {
		boolean eightBit = t instanceof IntegerType && t.getMinValue() == 0 && t.getMaxValue() == 255;
		return Normalization.forBitDepth(eightBit ? 8 : 32);
	}

	/** The min and max an integer type stores; null for a float type (any value). */
	static double[] storedRange(RealType<?> t) {
		return t instanceof IntegerType ? new double[] {t.getMinValue(), t.getMaxValue()} : null;
	}

	/** A new image of the type with the given size (an ArrayImg where it fits, else a CellImg), min 0. */
	static <T extends NativeType<T>> Img<T> create(T type, long... dims) {
		return Util.getArrayOrCellImgFactory(new FinalInterval(dims), type).create(dims);
	}

	/** The image translated so that its min is {@code min}, still an Img. */
	static <T extends NativeType<T>> Img<T> at(Img<T> img, long[] min) {
		return ImgView.wrap(Views.translate(img, min), img.factory());
	}

	/**
	 * The mask over the image's X and Y as W·H row-major booleans (true = fill): a 2D mask (or a 3D one with a single
	 * plane) with the image's X and Y interval.
	 */
	static boolean[] mask(RandomAccessibleInterval<? extends BooleanType<?>> mask, Interval image) {
		checkMask(mask, image);
		int d = mask.numDimensions();
		int w = side(image.dimension(0), "the width"), h = side(image.dimension(1), "the height");
		if ((long) w * h > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("the image's plane " + w + "x" + h
			+ " has more than 2^31 pixels: inpaint a crop around the region (Views.interval)");
		boolean[] out = new boolean[w * h];
		RandomAccessibleInterval<? extends BooleanType<?>> plane = d == 3 ? Views.hyperSlice(mask, 2, mask.min(2)) : mask;
		Cursor<? extends BooleanType<?>> c = Views.flatIterable(plane).cursor();
		for (int i = 0; i < out.length; i++) out[i] = c.next().get();
		return out;
	}

	/** Refuses a mask that is not 2D (or 3D with one plane) over the image's X and Y interval. */
	static void checkMask(Interval mask, Interval image) {
		int d = mask.numDimensions();
		boolean sameXY = d >= 2 && mask.min(0) == image.min(0) && mask.min(1) == image.min(1)
			&& mask.dimension(0) == image.dimension(0) && mask.dimension(1) == image.dimension(1);
		if (!sameXY || d > 3 || (d == 3 && mask.dimension(2) != 1)) throw new IllegalArgumentException("the mask's "
			+ "interval " + Intervals.toString(mask) + " is not the image's X, Y interval [" + image.min(0) + ", " + image.min(1)
			+ "] to [" + image.max(0) + ", " + image.max(1) + "]: give a 2D mask over the image's X and Y (Views.translate it "
			+ "to the image's min)");
	}

	/** The mask's interval with X and Y those of {@code xy} (a third, single-plane axis kept). */
	static Interval sameXY(Interval mask, Interval xy) {
		long[] min = mask.minAsLongArray(), max = mask.maxAsLongArray();
		for (int d = 0; d < 2; d++) {
			min[d] = xy.min(d);
			max[d] = xy.max(d);
		}
		return new FinalInterval(min, max);
	}

	/** Sets {@code ra} to image pixel (x, y) of channel k, coordinates relative to the image's min. */
	static void position(RandomAccess<?> ra, long[] min, int x, int y, int k) {
		ra.setPosition(min[0] + x, 0);
		ra.setPosition(min[1] + y, 1);
		if (min.length > 2) ra.setPosition(min[2] + k, 2);
	}
}
