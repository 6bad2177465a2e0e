package org.ldmfiji.image;

import ij.CompositeImage;
import ij.IJ;
import ij.ImagePlus;
import ij.measure.Calibration;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import ij.process.LUT;

import java.util.ArrayList;
import java.util.List;

/**
 * ImageJ 1.x adapters: plane reading and writing for 8-bit, 16-bit, 32-bit and RGB images (virtual stacks too),
 * and the factory for result images. Stack indices are ImageJ's, 1-based ({@code ImagePlus.getStackIndex(c, z,
 * t)}). No ImgLib2 here, not even in a signature: a plain ImageJ 1.x has no ImgLib2, and the JVM's verifier would
 * need its classes to load this one (ImgLib2 views of ImageJ planes: {@link IjImgViews}).
 */
public final class IjImages {

	private IjImages() {}

	/** One processor as planes: RGB → 3 planes R, G, B (0…255); otherwise 1 plane of raw values. */
	public static FloatPlanes read(ImageProcessor ip) {
		int w = ip.getWidth(), n = w * ip.getHeight();
		if (ip instanceof ColorProcessor) {
			FloatPlanes out = FloatPlanes.zeros(3, ip.getHeight(), w);
			float[] d = out.data();
			for (int i = 0; i < n; i++) {
				int v = ip.get(i);
				d[i] = (v >> 16) & 0xff;
				d[n + i] = (v >> 8) & 0xff;
				d[2 * n + i] = v & 0xff;
			}
			return out;
		}
		float[] d = new float[n];
		for (int i = 0; i < n; i++) d[i] = ip.getf(i);
		return new FloatPlanes(1, ip.getHeight(), w, d);
	}

	/**
	 * Writes planes into a processor: 8-, 16-bit and RGB components rounded to the nearest integer (halves up) and
	 * clamped to the type's range, NaN as its minimum; 32-bit as is. The same rules as {@link ImageTensors#write}.
	 */
	public static void write(FloatPlanes planes, ImageProcessor ip) {
		int per = ip instanceof ColorProcessor ? 3 : 1, w = ip.getWidth(), n = w * ip.getHeight();
		if (planes.channels() != per || planes.width() != w || planes.height() != ip.getHeight()) {
			throw new IllegalArgumentException(planes.width() + " x " + planes.height() + " x " + planes.channels()
				+ " planes do not fit a " + w + " x " + ip.getHeight() + " " + (per == 3 ? "RGB" : ip.getBitDepth() + "-bit")
				+ " plane (" + per + " plane(s) expected)");
		}
		float[] d = planes.data();
		if (per == 3) {
			for (int i = 0; i < n; i++) {
				int r = (int) roundClamp(d[i], 0, 255), g = (int) roundClamp(d[n + i], 0, 255),
					b = (int) roundClamp(d[2 * n + i], 0, 255);
				ip.set(i, 0xff000000 | (r << 16) | (g << 8) | b);
			}
		}
		else if (ip.getBitDepth() == 32) for (int i = 0; i < n; i++) ip.setf(i, d[i]);
		else {
			double max = ip.getBitDepth() == 8 ? 255 : 65535;
			for (int i = 0; i < n; i++) ip.set(i, (int) roundClamp(d[i], 0, max));
		}
	}

	/**
	 * All channels at one (slice, frame) position as planes: for an RGB image the 3 colour planes,
	 * otherwise one plane per ImageJ channel. {@code slice} and {@code frame} are 1-based. Planes are read through
	 * the stack's processors, so virtual stacks (planes loaded from disk on demand) work.
	 */
	public static FloatPlanes readChannels(ImagePlus imp, int slice, int frame) {
		List<FloatPlanes> parts = new ArrayList<>();
		for (int c = 1; c <= imp.getNChannels(); c++) parts.add(read(processor(imp, stackIndex(imp, c, slice, frame))));
		return parts.size() == 1 ? parts.get(0) : FloatPlanes.concatChannels(parts);
	}

	/**
	 * Writes planes read by {@link #readChannels} (same layout) back at one (slice, frame) position. The image must
	 * hold its pixels in memory: a virtual stack's planes are re-read from disk, and writes to them are lost.
	 */
	public static void writeChannels(FloatPlanes planes, ImagePlus imp, int slice, int frame) {
		int per = imp.getBitDepth() == 24 ? 3 : 1;
		if (planes.channels() != per * imp.getNChannels()) {
			throw new IllegalArgumentException("'" + imp.getTitle() + "' needs " + per * imp.getNChannels()
				+ " planes at each position, got " + planes.channels());
		}
		if (imp.getStack().isVirtual()) throw new IllegalArgumentException("'" + imp.getTitle() + "' is a virtual stack, "
			+ "whose planes are re-read from disk: write into an image in memory (Image > Duplicate...)");
		for (int c = 1; c <= imp.getNChannels(); c++) {
			List<FloatPlanes> mine = new ArrayList<>();
			for (int k = 0; k < per; k++) mine.add(planes.channel((c - 1) * per + k));
			write(per == 1 ? mine.get(0) : FloatPlanes.concatChannels(mine), processor(imp, stackIndex(imp, c, slice, frame)));
		}
	}

	/** The min and max that {@link #write} stores for the image's type (8-bit and RGB 0…255, 16-bit 0…65535); null for 32-bit. */
	public static double[] storedRange(ImagePlus imp) {
		switch (imp.getBitDepth()) {
			case 32:
				return null;
			case 16:
				return new double[] {0, 65535};
			default:
				return new double[] {0, 255};
		}
	}

	/** The nearest integer in [min, max] (halves round up), NaN giving min: {@link ImageTensors#write}'s rule. */
	private static double roundClamp(double v, double min, double max) {
		if (v != v) return min;
		return Math.floor(Math.max(min, Math.min(max, v)) + 0.5);
	}

	/** Plane {@code stackIndex} (1-based) as a processor: a view of the plane in memory, or freshly loaded from disk. */
	private static ImageProcessor processor(ImagePlus imp, int stackIndex) {
		return imp.getStackSize() == 1 ? imp.getProcessor() : imp.getStack().getProcessor(stackIndex);
	}

	private static int stackIndex(ImagePlus imp, int c, int z, int t) {
		if (z < 1 || z > imp.getNSlices() || t < 1 || t > imp.getNFrames()) {
			throw new IllegalArgumentException("position slice " + z + ", frame " + t + " is outside '" + imp.getTitle()
				+ "' (" + imp.getNSlices() + " slices, " + imp.getNFrames() + " frames; 1-based)");
		}
		return imp.getStackIndex(c, z, t);
	}

	/** {@link #createLike(ImagePlus, String, int, int, double, String)} with the template's pixel size (factor 1). */
	public static ImagePlus createLike(ImagePlus template, String title, int width, int height, String provenance) {
		return createLike(template, title, width, height, 1, provenance);
	}

	/**
	 * A new, zero-filled image of the template's type (bit depth) and channel/slice/frame counts at
	 * {@code width x height}, with the template's calibration for a {@code scale}-times finer grid
	 * (pixel width and height divided by {@code scale}, the origin in pixels multiplied by it), its
	 * LUTs, display range and composite mode, and {@code provenance} in the "Info" property (shown by
	 * Image > Show Info).
	 *
	 * @param scale the pixel-size factor: 4 for a x4 super-resolution result, 1 for a same-size result
	 */
	public static ImagePlus createLike(ImagePlus template, String title, int width, int height, double scale,
		String provenance)
	{
		if (width < 1 || height < 1) throw new IllegalArgumentException("size must be positive, got " + width + " x " + height);
		if (!(scale > 0) || Double.isInfinite(scale)) throw new IllegalArgumentException("scale must be positive, got " + scale);
		int c = template.getNChannels(), z = template.getNSlices(), t = template.getNFrames();
		ImagePlus out = IJ.createHyperStack(title, width, height, c, z, t, template.getBitDepth());
		if (out == null || out.getBitDepth() != template.getBitDepth()) {
			throw new IllegalStateException("could not create a " + template.getBitDepth() + "-bit image of "
				+ width + " x " + height + " x " + c * z * t + " planes (out of memory?)");
		}
		if (template.isComposite() && out.isComposite()) {
			CompositeImage src = (CompositeImage) template, dst = (CompositeImage) out;
			dst.setMode(src.getMode());
			dst.setLuts(src.getLuts());
		}
		else if (template.getBitDepth() != 24) {
			LUT lut = template.getProcessor().getLut();
			if (lut != null) out.getProcessor().setLut(lut);
			out.setDisplayRange(template.getDisplayRangeMin(), template.getDisplayRangeMax());
		}
		Calibration cal = template.getCalibration().copy();
		cal.pixelWidth /= scale;
		cal.pixelHeight /= scale;
		cal.xOrigin *= scale;
		cal.yOrigin *= scale;
		out.setCalibration(cal);
		if (provenance != null) out.setProperty("Info", provenance);
		return out;
	}
}
