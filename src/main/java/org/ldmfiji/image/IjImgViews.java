package org.ldmfiji.image;

import ij.ImagePlus;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.ARGBType;
import net.imglib2.type.numeric.RealType;

/**
 * ImgLib2 views of ImageJ 1.x pixel arrays (no copy): writing through a view changes the plane. Pixel types: 8-bit →
 * UnsignedByteType, 16-bit → UnsignedShortType, 32-bit → FloatType, RGB → ARGBType. Kept apart from {@link IjImages},
 * which a plain ImageJ 1.x (no ImgLib2) must be able to load.
 */
public final class IjImgViews {

	private IjImgViews() {}

	/**
	 * A 2D view of a processor's pixel array (8-, 16- or 32-bit): writing through it changes the
	 * processor's pixels. For RGB use {@link #wrapRgb}.
	 */
	public static RandomAccessibleInterval<? extends RealType<?>> wrap(ImageProcessor ip) {
		return wrapPixels(ip.getPixels(), ip.getWidth(), ip.getHeight());
	}

	/** A 2D ARGB view of an RGB processor's int array (no copy). */
	public static RandomAccessibleInterval<ARGBType> wrapRgb(ColorProcessor ip) {
		return ArrayImgs.argbs((int[]) ip.getPixels(), ip.getWidth(), ip.getHeight());
	}

	/**
	 * A 2D view of plane {@code stackIndex} (1-based) of an 8-, 16- or 32-bit image (no copy).
	 * A virtual stack gives a freshly loaded plane: writes then do not reach the file.
	 */
	public static RandomAccessibleInterval<? extends RealType<?>> wrapPlane(ImagePlus imp, int stackIndex) {
		return wrapPixels(pixels(imp, stackIndex), imp.getWidth(), imp.getHeight());
	}

	/** A 2D ARGB view of plane {@code stackIndex} (1-based) of an RGB image (no copy). */
	public static RandomAccessibleInterval<ARGBType> wrapRgbPlane(ImagePlus imp, int stackIndex) {
		Object px = pixels(imp, stackIndex);
		if (!(px instanceof int[])) {
			throw new IllegalArgumentException("'" + imp.getTitle() + "' is " + imp.getBitDepth()
				+ "-bit, not RGB: use IjImgViews.wrapPlane");
		}
		return ArrayImgs.argbs((int[]) px, imp.getWidth(), imp.getHeight());
	}

	private static Object pixels(ImagePlus imp, int stackIndex) {
		if (stackIndex < 1 || stackIndex > imp.getStackSize()) {
			throw new IllegalArgumentException("plane " + stackIndex + " of '" + imp.getTitle() + "', which has "
				+ imp.getStackSize() + " (stack indices are 1-based)");
		}
		return imp.getStackSize() == 1 ? imp.getProcessor().getPixels() : imp.getStack().getPixels(stackIndex);
	}

	private static RandomAccessibleInterval<? extends RealType<?>> wrapPixels(Object px, int w, int h) {
		if (px instanceof byte[]) return ArrayImgs.unsignedBytes((byte[]) px, w, h);
		if (px instanceof short[]) return ArrayImgs.unsignedShorts((short[]) px, w, h);
		if (px instanceof float[]) return ArrayImgs.floats((float[]) px, w, h);
		if (px instanceof int[]) {
			throw new IllegalArgumentException("an RGB plane has no single real value per pixel: use wrapRgb / wrapRgbPlane");
		}
		throw new IllegalArgumentException("unsupported pixel array " + (px == null ? "null" : px.getClass().getSimpleName()));
	}
}
