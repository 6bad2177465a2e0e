package org.ldmfiji.imagej;

import ij.ImagePlus;
import ij.process.ImageProcessor;

import org.ldmfiji.image.FloatPlanes;

import java.util.ArrayList;
import java.util.List;

/**
 * Pixel I/O on an ImageJ image for the image jobs: the (slice, frame) positions to process, the channels the model
 * sees (an RGB pixel as three), and reading or writing raw values at a position. Whole planes go through
 * {@link org.ldmfiji.image.IjImages}; this class reads windows and single pixels.
 */
public final class ImagePlanes {

	private ImagePlanes() {}

	/** The image's title without a file extension ("cells.tif" gives "cells"), the stem of result titles. */
	public static String stem(ImagePlus imp) {
		return imp.getTitle().replaceFirst("\\.[A-Za-z][A-Za-z0-9]{1,4}$", "");
	}

	/** What provenance says of a source: {@code title (WxH, N plane(s), type)}. */
	static String describe(ImagePlus imp) {
		String palette = PaletteImages.describe(imp);
		return imp.getTitle() + " (" + imp.getWidth() + 'x' + imp.getHeight() + ", " + imp.getStackSize() + " plane(s), "
			+ (palette != null ? palette : imp.getBitDepth() == 24 ? "RGB" : imp.getBitDepth() + "-bit") + ")";
	}

	/** Channels the model sees per (slice, frame) position: 3 per ImageJ channel for RGB, else 1. */
	static int imageChannels(ImagePlus imp) {
		return imp.getNChannels() * (imp.getBitDepth() == 24 ? 3 : 1);
	}

	/** Bytes per pixel of one plane of the image's type. */
	static int bytesPerPixel(ImagePlus imp) {
		return imp.getBitDepth() == 24 ? 4 : Math.max(1, imp.getBitDepth() / 8);
	}

	/** The (slice, frame) positions to process, 1-based: the current one or all of them. */
	static List<int[]> positions(ImagePlus imp, boolean all) {
		List<int[]> out = new ArrayList<>();
		if (!all) {
			int[] czt = imp.convertIndexToPosition(Math.max(1, imp.getCurrentSlice()));
			out.add(new int[] {czt[1], czt[2]});
		}
		else for (int t = 1; t <= imp.getNFrames(); t++)
			for (int z = 1; z <= imp.getNSlices(); z++) out.add(new int[] {z, t});
		return out;
	}

	/** The processor of image channel {@code k} (0-based, in {@link #imageChannels} order) at a position. */
	static ImageProcessor processor(ImagePlus imp, int k, int[] position) {
		int per = imp.getBitDepth() == 24 ? 3 : 1;
		int index = imp.getStackIndex(k / per + 1, position[0], position[1]);
		return imp.getStackSize() == 1 ? imp.getProcessor() : imp.getStack().getProcessor(index);
	}

	/** Colour component of channel {@code k} in an RGB pixel (0 R, 1 G, 2 B), or -1 for a grey image. */
	static int rgbComponent(ImagePlus imp, int k) {
		return imp.getBitDepth() == 24 ? k % 3 : -1;
	}

	/** The raw value at (x, y): grey level, or one colour component of an RGB pixel (0…255). */
	static float get(ImageProcessor ip, int rgb, int x, int y) {
		if (rgb < 0) return ip.getf(x, y);
		return (ip.get(x, y) >> (16 - 8 * rgb)) & 0xff;
	}

	/** Writes v at (x, y) in the processor's type: rounded and clamped for 8-bit, 16-bit and RGB components. */
	static void put(ImageProcessor ip, int rgb, int x, int y, double v) {
		if (rgb >= 0) {
			int shift = 16 - 8 * rgb;
			int c = (int) Math.max(0, Math.min(255, Math.round(v)));
			ip.set(x, y, (ip.get(x, y) & ~(0xff << shift)) | (c << shift));
		}
		else if (ip.getBitDepth() == 32) ip.setf(x, y, (float) v);
		else {
			double max = ip.getBitDepth() == 8 ? 255 : 65535;
			ip.set(x, y, (int) Math.max(0, Math.min(max, Math.round(v))));
		}
	}

	/** The image's {@code c} channels at a position over the window [x0, x1) × [y0, y1), raw values. */
	static FloatPlanes read(ImagePlus imp, int[] pos, int c, int x0, int y0, int x1, int y1) {
		FloatPlanes out = FloatPlanes.zeros(c, y1 - y0, x1 - x0);
		for (int k = 0; k < c; k++) {
			ImageProcessor ip = processor(imp, k, pos);
			int rgb = rgbComponent(imp, k);
			for (int y = y0; y < y1; y++)
				for (int x = x0; x < x1; x++) out.set(k, y - y0, x - x0, get(ip, rgb, x, y));
		}
		return out;
	}

	/** Copies the mask's pixels (W·H, row-major) of the given positions from one image into another of its size. */
	static void copyMasked(ImagePlus from, ImagePlus to, List<int[]> positions, boolean[] mask, int c) {
		int w = to.getWidth();
		for (int[] pos : positions)
			for (int k = 0; k < c; k++) {
				ImageProcessor a = processor(from, k, pos), b = processor(to, k, pos);
				int rgb = rgbComponent(to, k);
				for (int p = 0; p < mask.length; p++)
					if (mask[p]) put(b, rgb, p % w, p / w, get(a, rgb, p % w, p / w));
			}
	}
}
